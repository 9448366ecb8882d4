import org.calvaria.cli.Main;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs many calvaria commands in one JVM for campaign.py (a JVM start costs seconds on a busy machine): each stdin
 * line is "TIMEOUT_SECONDS TAB ARG TAB ARG ...", run through {@code Main.run} (what {@code main} runs, without
 * System.exit) with stdout and stderr captured; each answer is one line "rc TAB millis TAB base64(stdout) TAB
 * base64(stderr)". A command that does not end in time is answered "hang" and the JVM exits, for the caller to start a
 * new one. Started as a single-file program: java -cp target/calvaria.jar src/test/fuzz/BatchRun.java
 */
public final class BatchRun {
    public static void main(String[] a) throws Exception {
        PrintStream answer = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);
        PrintStream realErr = System.err;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "calvaria-command");
            t.setDaemon(true);
            return t;
        });
        Base64.Encoder b64 = Base64.getEncoder();
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) continue;
            String[] parts = line.split("\t");
            long timeout = Long.parseLong(parts[0]);
            String[] args = java.util.Arrays.copyOfRange(parts, 1, parts.length);
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            long t0 = System.nanoTime();
            String rc;
            Future<Integer> f = worker.submit(() -> Main.run(args));
            try {
                rc = Integer.toString(f.get(timeout, TimeUnit.SECONDS));
            } catch (TimeoutException e) {
                rc = "hang";
            } catch (java.util.concurrent.ExecutionException e) {
                // Main.run lets nothing through by design; anything here is itself a finding
                e.getCause().printStackTrace(System.err);
                rc = "thrown";
            }
            System.out.flush();
            System.err.flush();
            System.setOut(answer);
            System.setErr(realErr);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            answer.println(rc + "\t" + ms + "\t" + b64.encodeToString(out.toByteArray()) + "\t"
                    + b64.encodeToString(err.toByteArray()));
            if (rc.equals("hang")) Runtime.getRuntime().halt(3);
        }
    }
}
