package org.calvaria.cli;

import java.util.List;

/** Test access to the evaluate command's package-private helpers. */
public final class EvaluateCommandAccess {
    private EvaluateCommandAccess() {}

    public static List<String> expand(List<String> ids) {
        return EvaluateCommand.expandCaseIds(ids);
    }
}
