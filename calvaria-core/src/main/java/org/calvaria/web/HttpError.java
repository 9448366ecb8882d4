package org.calvaria.web;

/** A request that ends with an HTTP error status and a readable message (sent as {@code {"error": "..."}}). */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    /** Value of the Allow header for 405 answers, else null. */
    final String allow;

    HttpError(int status, String message) {
        this(status, message, null);
    }

    HttpError(int status, String message, String allow) {
        super(message, null, false, false);
        this.status = status;
        this.allow = allow;
    }

    static HttpError notFound(String what) {
        return new HttpError(404, what);
    }

    static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    static HttpError methodNotAllowed(String method, String allowed) {
        return new HttpError(405, "method " + method + " is not allowed here; use " + allowed, allowed);
    }
}
