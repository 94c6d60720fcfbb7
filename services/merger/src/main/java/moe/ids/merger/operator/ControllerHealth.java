package moe.ids.merger.operator;

import io.helidon.health.HealthCheck;
import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;

/**
 * The Refresh controller's health checks. Liveness: this replica's leader elector still runs (a stuck or dead
 * elector gets the container restarted). Readiness: UP whether this replica leads or stands by — a standby is
 * a ready pod, so that a rollout can proceed while the old leader still holds the Lease — and DOWN once its
 * election is over (the process is about to end); the details name the role and the current leader.
 *
 * @param name       check name shown in {@code /observe/health}
 * @param type       liveness or readiness
 * @param controller the controller
 */
public record ControllerHealth(String name, HealthCheckType type, RefreshController controller) implements HealthCheck {

    /**
     * @param controller the controller
     * @return the liveness check {@code controller-elector}
     */
    public static ControllerHealth liveness(RefreshController controller) {
        return new ControllerHealth("controller-elector", HealthCheckType.LIVENESS, controller);
    }

    /**
     * @param controller the controller
     * @return the readiness check {@code controller}
     */
    public static ControllerHealth readiness(RefreshController controller) {
        return new ControllerHealth("controller", HealthCheckType.READINESS, controller);
    }

    @Override
    public HealthCheckResponse call() {
        RefreshController.Standing s = controller.standing();
        HealthCheckResponse.Builder b = HealthCheckResponse.builder()
                .status(type == HealthCheckType.READINESS ? !"stopped".equals(s.role()) : s.alive())
                .detail("role", s.role())
                .detail("identity", s.identity());
        if (s.leader() != null) {
            b.detail("leader", s.leader());
        }
        return b.build();
    }
}
