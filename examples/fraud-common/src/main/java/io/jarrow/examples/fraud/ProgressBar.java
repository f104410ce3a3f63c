package io.jarrow.examples.fraud;

import java.io.PrintStream;

/** A one-line progress bar on stderr, redrawn at most ten times a second. */
public final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;
    private final String label;
    private final long total;
    private final PrintStream out = System.err;
    private final long start = System.nanoTime();
    private long lastDraw;
    private long done;

    public ProgressBar(String label, long total) {
        this.label = label;
        this.total = total;
        draw();
    }

    public synchronized void set(long done) {
        this.done = Math.min(done, total);
        long now = System.nanoTime();
        if (now - lastDraw > 100_000_000L || this.done == total) {
            lastDraw = now;
            draw();
        }
    }

    private void draw() {
        int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("\r%-34s [%s%s] %3d%% %,d/%,d  %.1f s", label, "#".repeat(filled), " ".repeat(WIDTH - filled),
                total == 0 ? 100 : 100 * done / total, done, total, seconds);
        out.flush();
    }

    @Override
    public synchronized void close() {
        draw();
        out.println();
    }
}
