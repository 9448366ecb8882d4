package org.calvaria;

/**
 * A failure the user can act on: bad input, unsupported data, impossible request.
 * The message is printed as one line by the command-line tool, so it must say what is wrong and what to do.
 */
public class CalvariaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CalvariaException(String message) {
        super(message);
    }

    public CalvariaException(String message, Throwable cause) {
        super(message, cause);
    }
}
