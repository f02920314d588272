package org.offload.bench;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * gRPC-java unary calls over plaintext HTTP/2 on 127.0.0.1, with a byte-array marshaller (no protoc) and the
 * same payload work as the other transports. Two server + channel pairs: gRPC's default executors, and
 * {@code directExecutor()} on both sides (handlers and callbacks on the Netty event loops).
 */
final class GrpcSide implements AutoCloseable {
    private static final String SERVICE = "bench.Echo";

    private final Map<Payload, MethodDescriptor<byte[], byte[]>> methods = new EnumMap<>(Payload.class);
    private final Server defaultServer;
    private final Server directServer;
    private final ManagedChannel defaultChannel;
    private final ManagedChannel directChannel;

    GrpcSide() throws Exception {
        ServerServiceDefinition.Builder service = ServerServiceDefinition.builder(SERVICE);
        for (Payload p : Payload.values()) {
            MethodDescriptor<byte[], byte[]> m = MethodDescriptor.<byte[], byte[]>newBuilder()
                    .setType(MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, p.name()))
                    .setRequestMarshaller(BytesMarshaller.INSTANCE)
                    .setResponseMarshaller(BytesMarshaller.INSTANCE)
                    .build();
            methods.put(p, m);
            service.addMethod(m, ServerCalls.asyncUnaryCall((byte[] request, StreamObserver<byte[]> reply) -> {
                reply.onNext(p.serve(request));
                reply.onCompleted();
            }));
        }
        ServerServiceDefinition definition = service.build();
        defaultServer = server(definition, false);
        directServer = server(definition, true);
        defaultChannel = channel(defaultServer, false);
        directChannel = channel(directServer, true);
        for (Payload p : Payload.values()) {
            blocking(false, p).call();
            blocking(true, p).call();
        }
    }

    private static Server server(ServerServiceDefinition definition, boolean direct) throws IOException {
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .addService(definition);
        if (direct) {
            b.directExecutor();
        }
        return b.build().start();
    }

    private static ManagedChannel channel(Server server, boolean direct) {
        NettyChannelBuilder b = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext();
        if (direct) {
            b.directExecutor();
        }
        return b.build();
    }

    /** A blocking unary call (gRPC runs its callbacks on the calling thread for these). */
    Latency.Op blocking(boolean direct, Payload p) {
        ManagedChannel channel = direct ? directChannel : defaultChannel;
        MethodDescriptor<byte[], byte[]> m = methods.get(p);
        return () -> p.accept(ClientCalls.blockingUnaryCall(channel, m, CallOptions.DEFAULT, p.request()));
    }

    /** Async unary calls; the reply is checked on the channel's executor. */
    Pipelined.Pipeline async(boolean direct, Payload p) {
        ManagedChannel channel = direct ? directChannel : defaultChannel;
        MethodDescriptor<byte[], byte[]> m = methods.get(p);
        return Pipelined.async(outcome -> ClientCalls.asyncUnaryCall(channel.newCall(m, CallOptions.DEFAULT), p.request(),
                new StreamObserver<>() {
                    private boolean ok;

                    @Override
                    public void onNext(byte[] reply) {
                        try {
                            p.accept(reply);
                            ok = true;
                        } catch (RuntimeException e) {
                            ok = false;
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        outcome.done(false);
                    }

                    @Override
                    public void onCompleted() {
                        outcome.done(ok);
                    }
                }));
    }

    @Override
    public void close() throws InterruptedException {
        for (ManagedChannel c : new ManagedChannel[] {defaultChannel, directChannel}) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        for (Server s : new Server[] {defaultServer, directServer}) {
            s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** byte[] as it is: no protobuf. */
    private enum BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        INSTANCE;

        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
