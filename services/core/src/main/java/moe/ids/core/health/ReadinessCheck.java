package moe.ids.core.health;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/**
 * A readiness check that is UP when its probe answers true, and DOWN with the reason when it answers
 * false or throws. Services register one per dependency (PostgreSQL through {@code moe.ids.db.Db#readiness}, Redis,
 * …).
 *
 * @param name  check name shown in {@code /observe/health}
 * @param probe asks the dependency
 */
public record ReadinessCheck(String name, Probe probe) implements HealthCheck {

    @Override
    public HealthCheckType type() {
        return HealthCheckType.READINESS;
    }

    @Override
    public HealthCheckResponse call() {
        try {
            return HealthCheckResponse.builder().status(probe.ok()).build();
        } catch (Exception ex) {
            return HealthCheckResponse.builder().status(false).detail("error", String.valueOf(ex.getMessage())).build();
        }
    }

    /** Asks whether a dependency is usable. */
    @FunctionalInterface
    public interface Probe {
        /**
         * @return true when usable
         * @throws Exception when asking failed (reported as DOWN)
         */
        boolean ok() throws Exception;
    }
}
