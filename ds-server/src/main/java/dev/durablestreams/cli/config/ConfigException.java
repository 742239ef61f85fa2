package dev.durablestreams.cli.config;

/** A bad configuration file or setting; the message is one line naming the file or variable and the key. */
public final class ConfigException extends RuntimeException {
    /** @param message one line, e.g. {@code ds-server.yaml: unknown key 'prot' (did you mean 'port'?)} */
    public ConfigException(String message) {
        super(message);
    }
}
