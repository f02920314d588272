package org.offload.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test (or its {@code @BeforeEach}) an {@link OffloadKit} parameter: one kit per test, closed when
 * the test ends, so tests that run in parallel never share a service or a port.
 *
 * <pre>{@code
 * @ExtendWith(OffloadExtension.class)
 * class MyTest {
 *     @Test
 *     void echo_answers(OffloadKit kit) { ... }
 * }
 * }</pre>
 */
public final class OffloadExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(OffloadExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == OffloadKit.class;
    }

    /** The kit of this test (made on first use; JUnit closes it, an AutoCloseable, when the test ends). */
    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE.append(context.getUniqueId()))
                .getOrComputeIfAbsent("kit", key -> new OffloadKit(), OffloadKit.class);
    }
}
