package org.offload.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The broker peer: RPC over RabbitMQ the way tavrida, oslo.messaging and Spring AMQP users do it, with the
 * official Java client ({@code com.rabbitmq:amqp-client}) against a private {@link RabbitBroker} on
 * 127.0.0.1. Per payload, a worker (its own connection) consumes a request queue and publishes each answer
 * to the request's {@code reply_to} with its {@code correlation_id}; the client publishes to that queue
 * through the default exchange with {@code reply_to = amq.rabbitmq.reply-to} (direct reply-to: no reply
 * queue, replies go straight to the consumer on the publishing channel) and matches replies by correlation
 * id. Transient messages on a transient queue, automatic acknowledgement on both sides: at most once, like
 * Offload, and RabbitMQ's fastest mode. The bodies and their work are those of the other peers
 * ({@link Payload#request}, {@link Payload#serve}, {@link Payload#accept}). CPU per request counts this JVM
 * (client and worker) and the broker's {@code beam.smp}.
 */
final class RabbitSide implements AutoCloseable {
    private static final String DIRECT_REPLY_TO = "amq.rabbitmq.reply-to";
    private static final long REPLY_TIMEOUT_SECONDS = 30;

    private final RabbitBroker broker;
    private final Connection workerConnection;
    private final Connection clientConnection;
    private final Map<Payload, Rpc> rpcs = new ConcurrentHashMap<>();

    RabbitSide(RabbitBroker broker) throws Exception {
        this.broker = broker;
        workerConnection = broker.factory().newConnection("offload-bench-worker");
        clientConnection = broker.factory().newConnection("offload-bench-client");
        for (Payload p : Payload.values()) {
            String queue = "offload-bench-" + p.label;
            Channel worker = workerConnection.createChannel();
            worker.queueDeclare(queue, false, false, true, null);
            worker.basicConsume(queue, true, (tag, delivery) -> {
                AMQP.BasicProperties in = delivery.getProperties();
                AMQP.BasicProperties out = new AMQP.BasicProperties.Builder().correlationId(in.getCorrelationId())
                        .build();
                worker.basicPublish("", in.getReplyTo(), out, p.serve(delivery.getBody()));
            }, tag -> { });
            Rpc rpc = new Rpc(clientConnection.createChannel(), queue, p);
            rpcs.put(p, rpc);
            rpc.call(); // the first call also proves the path works
        }
    }

    /** The broker's CPU so far, for the CPU per request figures. */
    LongSupplier brokerCpu() {
        return broker::cpuNanos;
    }

    /** One sync RPC from the thread that runs it. */
    Latency.Op call(Payload p) {
        return rpcs.get(p)::call;
    }

    /** RPCs kept in flight: the driver publishes, the client's consumer thread checks and counts the replies. */
    Pipelined.Pipeline async(Payload p) {
        Rpc rpc = rpcs.get(p);
        return new Pipelined.Pipeline() {
            private volatile Pipelined.Outcome outcome;

            @Override
            public void open(Pipelined.Outcome outcome) {
                this.outcome = outcome;
            }

            @Override
            public void send() throws Exception {
                Pipelined.Outcome o = outcome;
                rpc.start(reply -> {
                    boolean ok;
                    try {
                        p.accept(reply);
                        ok = true;
                    } catch (RuntimeException e) {
                        ok = false;
                    }
                    o.done(ok);
                });
            }
        };
    }

    /** The client of one request queue: one channel, consuming its direct replies. */
    private static final class Rpc {
        private final Channel channel;
        private final String queue;
        private final Payload payload;
        private final AtomicLong ids = new AtomicLong();
        private final Map<String, Consumer<byte[]>> pending = new ConcurrentHashMap<>();

        Rpc(Channel channel, String queue, Payload payload) throws Exception {
            this.channel = channel;
            this.queue = queue;
            this.payload = payload;
            channel.basicConsume(DIRECT_REPLY_TO, true, (tag, delivery) -> {
                Consumer<byte[]> waiting = pending.remove(delivery.getProperties().getCorrelationId());
                if (waiting != null) {
                    waiting.accept(delivery.getBody());
                }
            }, tag -> { });
        }

        /** Publishes one request; {@code onReply} gets its reply's body on the consumer thread. */
        void start(Consumer<byte[]> onReply) throws Exception {
            String id = Long.toString(ids.incrementAndGet());
            pending.put(id, onReply);
            AMQP.BasicProperties props = new AMQP.BasicProperties.Builder().correlationId(id)
                    .replyTo(DIRECT_REPLY_TO).build();
            try {
                channel.basicPublish("", queue, props, payload.request());
            } catch (Exception e) {
                pending.remove(id);
                throw e;
            }
        }

        void call() throws Exception {
            CompletableFuture<byte[]> reply = new CompletableFuture<>();
            start(reply::complete);
            payload.accept(reply.get(REPLY_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        }
    }

    @Override
    public void close() throws Exception {
        clientConnection.close();
        workerConnection.close();
    }
}
