package dev.durablestreams.http.tls;

import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP through {@code sun.misc.Signal}, looked up reflectively: it is not a standard API, and a JVM may lack
 * it or refuse the signal (for example under {@code -Xrs}). Without it, the periodic file check still reloads.
 */
final class Signals {
    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    /** Runs {@code action} on every SIGHUP, if this JVM lets us listen; otherwise logs why not. */
    static void onHangup(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance("HUP");
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle")) action.run();
                        else if (method.getName().equals("toString")) return "ds-server SIGHUP handler";
                        else if (method.getName().equals("hashCode")) return System.identityHashCode(proxy);
                        else if (method.getName().equals("equals")) return proxy == args[0];
                        return null;
                    });
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.info("SIGHUP cannot trigger a certificate reload here ({}); the file check still does", e.toString());
        }
    }
}
