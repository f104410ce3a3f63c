package io.jarrow;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Owns one native object. Every use brackets the native call with {@link #acquire()} and
 * {@link #release()}; {@link #close()} marks the handle closed, waits for calls in flight, and
 * frees the native object once. A use after close throws {@link IllegalStateException} instead of
 * touching freed memory. A handle that becomes unreachable unclosed is freed by a {@link Cleaner}.
 */
abstract class NativeHandle implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final State state;
    private final Cleaner.Cleanable cleanable;
    private final String what;

    /**
     * The native handle and its calls in flight; frees the object at most once. A close waits (on
     * this object's monitor) until the last call in flight ends: that call's release, seeing the
     * handle closed, wakes it. A call is long (a Python function, a whole batch), so the close
     * sleeps rather than spins.
     */
    private static final class State implements Runnable {
        final AtomicLong handle;
        final AtomicInteger inFlight = new AtomicInteger();
        private final LongConsumer free;

        State(long handle, LongConsumer free) {
            this.handle = new AtomicLong(handle);
            this.free = free;
        }

        /** Ends a call; the last one to end after a close wakes the closing thread. */
        void release() {
            if (inFlight.decrementAndGet() == 0 && handle.get() == 0) {
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        @Override
        public void run() {
            long h = handle.getAndSet(0);
            if (h == 0) {
                return;
            }
            boolean interrupted = false;
            synchronized (this) {
                while (inFlight.get() != 0) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // The object must still be freed, and only once no call uses it.
                        interrupted = true;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            free.accept(h);
        }
    }

    NativeHandle(long handle, LongConsumer free, String what) {
        if (handle == 0) {
            throw new IllegalArgumentException("null native handle for " + what);
        }
        this.state = new State(handle, free);
        this.cleanable = CLEANER.register(this, state);
        this.what = what;
    }

    /** The live native handle, held until {@link #release()}; throws if closed. */
    final long acquire() {
        state.inFlight.incrementAndGet();
        long h = state.handle.get();
        if (h == 0) {
            state.release();
            throw new IllegalStateException(what + " is closed");
        }
        return h;
    }

    /** Ends a use begun by {@link #acquire()}. */
    final void release() {
        state.release();
    }

    /** Whether {@link #close()} was called. */
    public final boolean isClosed() {
        return state.handle.get() == 0;
    }

    /**
     * Frees the native object once calls in flight have returned, and returns then: a close during
     * a long call waits for it. Closing twice is harmless.
     */
    @Override
    public void close() {
        cleanable.clean();
    }
}
