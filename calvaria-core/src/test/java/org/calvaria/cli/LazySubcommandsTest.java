package org.calvaria.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Main builds only the subcommand being run; the full tree still lists every command under its own name. */
class LazySubcommandsTest {
    @Test
    void eachRegisteredNameIsTheCommandsOwnName() {
        for (Map.Entry<String, java.util.function.Supplier<Object>> e : Main.SUBCOMMANDS.entrySet()) {
            Object command = e.getValue().get();
            CommandLine.Command annotation = command.getClass().getAnnotation(CommandLine.Command.class);
            assertEquals(e.getKey(), annotation.name(), command.getClass().getSimpleName());
        }
    }

    @Test
    void aNamedSubcommandIsBuiltAlone() {
        assertEquals(
                List.of("design"),
                new ArrayList<>(Main.commandLine("design").getSubcommands().keySet()));
        assertEquals(
                List.of("bench-net"),
                new ArrayList<>(Main.commandLine("bench-net").getSubcommands().keySet()));
    }

    @Test
    void helpOptionsAndTyposGetTheWholeTree() {
        List<String> all = new ArrayList<>(Main.SUBCOMMANDS.keySet());
        all.add("bench-net");
        for (String first : new String[] {null, "help", "--help", "desing"}) {
            assertEquals(
                    all,
                    new ArrayList<>(Main.commandLine(first).getSubcommands().keySet()),
                    String.valueOf(first));
        }
    }

    @Test
    void aTypoStillGetsASuggestionAndExitCode2() {
        CommandLine cl = Main.commandLine("desing");
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertEquals(2, cl.execute("desing", "x.nrrd"));
        assertTrue(err.toString().contains("design"), err.toString());
    }
}
