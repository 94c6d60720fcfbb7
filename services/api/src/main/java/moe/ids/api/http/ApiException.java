package moe.ids.api.http;

import moe.ids.core.error.BadRequestException;
import moe.ids.core.error.IdsMoeException;
import moe.ids.core.error.NotFoundException;

import java.util.List;
import java.util.Map;

/**
 * The API's named exceptions (on top of core's {@link BadRequestException}, {@link NotFoundException} and
 * {@link moe.ids.core.error.UnavailableException}): each carries the {@code error} title the original ids.moe
 * shows. {@link ApiErrors} maps every one of them to its HTTP status in one place.
 */
public final class ApiException {
    private ApiException() {
    }

    /** 400 with an ids.moe error title, e.g. {@code Invalid season ID}. */
    public static final class Invalid extends BadRequestException {
        private final String title;

        /**
         * @param title   the {@code error} field
         * @param message the {@code message} field
         */
        public Invalid(String title, String message) {
            super(message);
            this.title = title;
        }

        /**
         * @return the {@code error} field
         */
        public String title() {
            return title;
        }
    }

    /** 404 with the {@code Not found} title. */
    public static final class Missing extends NotFoundException {
        /**
         * @param message the {@code message} field
         */
        public Missing(String message) {
            super(message);
        }
    }

    /** 405: the path exists, the method does not. */
    public static final class MethodNotAllowed extends IdsMoeException {
        private final String allow;

        /**
         * @param method the method used
         * @param allow  the {@code Allow} header value
         */
        public MethodNotAllowed(String method, String allow) {
            super("Method " + method + " is not allowed here; allowed: " + allow);
            this.allow = allow;
        }

        /**
         * @return the {@code Allow} header value
         */
        public String allow() {
            return allow;
        }
    }

    /** 413: the request body is larger than {@code api.max-body-bytes}. */
    public static final class TooLarge extends BadRequestException {
        /**
         * @param limit the limit in bytes
         */
        public TooLarge(int limit) {
            super("Request body is larger than " + limit + " bytes");
        }
    }

    /**
     * 400: the request body could not be read (e.g. a malformed chunked encoding). Its unread rest could be taken
     * for a next request, so the connection is closed after the answer.
     */
    public static final class Unreadable extends BadRequestException {
        /**
         * @param cause what the server's reader reported
         */
        public Unreadable(Throwable cause) {
            super("Could not read the request body");
            initCause(cause);
        }
    }

    /** 400 of the arm-server compatible routes, in arm-server's validation shape. */
    public static final class ArmValidation extends BadRequestException {
        private final Map<String, List<String>> nested;
        private final List<String> root;

        /**
         * @param root   messages about the whole input
         * @param nested messages per field or item index
         */
        public ArmValidation(List<String> root, Map<String, List<String>> nested) {
            super("Validation error");
            this.root = List.copyOf(root);
            this.nested = Map.copyOf(nested);
        }

        /**
         * @return messages about the whole input
         */
        public List<String> root() {
            return root;
        }

        /**
         * @return messages per field or item index
         */
        public Map<String, List<String>> nested() {
            return nested;
        }
    }
}
