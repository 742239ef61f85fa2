package dev.durablestreams.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.File;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** One scenario run: parameters and metrics, written as a JSON file and summarised on stdout. */
final class Result {
    final String scenario;
    final Map<String, Object> params = new LinkedHashMap<>();
    final Map<String, Double> metrics = new LinkedHashMap<>();

    Result(String scenario) {
        this.scenario = scenario;
    }

    Result param(String k, Object v) {
        params.put(k, v);
        return this;
    }

    Result metric(String k, double v) {
        metrics.put(k, v);
        return this;
    }

    /** p50, p99, p999 and max of a histogram of microseconds, as milliseconds under the given prefix. */
    Result latency(String prefix, Histogram h) {
        metric(prefix + "_p50_ms", h.getValueAtPercentile(50) / 1000.0);
        metric(prefix + "_p99_ms", h.getValueAtPercentile(99) / 1000.0);
        metric(prefix + "_p999_ms", h.getValueAtPercentile(99.9) / 1000.0);
        metric(prefix + "_max_ms", h.getMaxValue() / 1000.0);
        metric(prefix + "_count", h.getTotalCount());
        return this;
    }

    void write(BenchMain.Common common) throws IOException {
        StringBuilder sb = new StringBuilder(scenario);
        if (common.label != null) sb.append(" [").append(common.label).append("]");
        if (common.target != null) sb.append(" target=").append(common.target);
        sb.append(":");
        metrics.forEach((k, v) -> sb.append(' ').append(k).append('=').append(fmt(v)));
        System.out.println(sb);
        if (common.out == null) return;
        File f = common.out;
        if (f.getParentFile() != null) f.getParentFile().mkdirs();
        try (JsonGenerator g = new JsonFactory().createGenerator(f, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("scenario", scenario);
            g.writeStringField("label", common.label != null ? common.label : scenario);
            g.writeStringField("target", common.target != null ? common.target : "unknown");
            g.writeNumberField("rep", common.rep);
            g.writeStringField("url", common.url);
            g.writeObjectFieldStart("params");
            for (Map.Entry<String, Object> e : params.entrySet()) {
                Object v = e.getValue();
                if (v instanceof Number n) g.writeNumberField(e.getKey(), n.doubleValue());
                else if (v instanceof Boolean b) g.writeBooleanField(e.getKey(), b);
                else g.writeStringField(e.getKey(), String.valueOf(v));
            }
            g.writeEndObject();
            g.writeObjectFieldStart("metrics");
            for (Map.Entry<String, Double> e : metrics.entrySet()) g.writeNumberField(e.getKey(), e.getValue());
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.valueOf((long) v);
        if (Math.abs(v) >= 100) return String.format("%.0f", v);
        if (Math.abs(v) >= 1) return String.format("%.2f", v);
        return String.format("%.3f", v);
    }
}
