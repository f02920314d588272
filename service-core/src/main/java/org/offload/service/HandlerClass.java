package org.offload.service;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/**
 * A handler class named in a service definition: checked when the definition is read, instantiated when a
 * server is built. A {@link ServiceHandler} subclass gets a fresh instance per call; a {@link Handler}
 * implementation one instance, shared by all calls.
 */
final class HandlerClass {
    private final Class<?> type;
    private final Constructor<?> constructor;
    private final boolean perCall;

    private HandlerClass(Class<?> type, Constructor<?> constructor, boolean perCall) {
        this.type = type;
        this.constructor = constructor;
        this.perCall = perCall;
    }

    /**
     * Loads {@code className} (without initializing it) and checks that it can serve as a handler; throws
     * {@link IllegalArgumentException} with the reason when it cannot.
     */
    static HandlerClass resolve(String className, ClassLoader loader) {
        Class<?> type;
        try {
            type = Class.forName(className, false, loader);
        } catch (ClassNotFoundException e) {
            throw new IllegalArgumentException("class " + className + " not found on the classpath");
        } catch (LinkageError e) {
            throw new IllegalArgumentException("class " + className + " cannot be loaded: " + e);
        }
        boolean perCall = ServiceHandler.class.isAssignableFrom(type);
        if (!perCall && !Handler.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("class " + className + " is not a handler: it must implement "
                    + Handler.class.getName() + " or extend " + ServiceHandler.class.getName());
        }
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException("class " + className + " is abstract: a handler class must be concrete");
        }
        if (!Modifier.isPublic(type.getModifiers())) {
            throw notPublic(className);
        }
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("class " + className + " has no public no-argument constructor");
        }
        if (!constructor.canAccess(null)) {
            throw notPublic(className); // e.g. a public class nested in a non-public one
        }
        return new HandlerClass(type, constructor, perCall);
    }

    private static IllegalArgumentException notPublic(String className) {
        return new IllegalArgumentException("class " + className + " is not public: a handler class must be public "
                + "(a nested one also static)");
    }

    Class<?> type() {
        return type;
    }

    /**
     * The handler for one route of a server being built. A per-call class gets a factory (a constructor's
     * failure then fails that call); any other class is instantiated now, via {@link #sharedInstance()}.
     */
    Handler newHandler() {
        return perCall ? ServiceHandler.of(this::perCallInstance) : sharedInstance();
    }

    /**
     * A new shared {@link Handler} instance; throws {@link IllegalArgumentException} naming the class, with
     * the constructor's failure as the cause, when it cannot be created.
     */
    Handler sharedInstance() {
        try {
            return (Handler) constructor.newInstance();
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("class " + type.getName() + " could not be created: its constructor threw "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalArgumentException("class " + type.getName() + " could not be created: " + e, e);
        }
    }

    /**
     * A new instance for one call. A constructor's unchecked exception or error is rethrown as it is (so a
     * {@link ServiceException} keeps its status); anything else becomes an {@link IllegalStateException}.
     */
    private ServiceHandler perCallInstance() {
        try {
            return (ServiceHandler) constructor.newInstance();
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("constructor of " + type.getName() + " threw " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot create " + type.getName() + ": " + e, e);
        }
    }
}
