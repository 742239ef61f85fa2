package dev.durablestreams.cli.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Where a picocli {@code @Option} may be set besides the command line. An option without this annotation can be set
 * by its environment variable ({@code --max-body} → {@code DS_MAX_BODY}) and by its key in the configuration file
 * ({@code max-body: 64MiB}); this annotation only narrows that, or marks the value secret.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Setting {
    /** Whether the environment variable sets it. */
    boolean env() default true;

    /** Whether the configuration file sets it. */
    boolean file() default true;

    /** Whether {@code --print-config} masks its value. */
    boolean secret() default false;
}
