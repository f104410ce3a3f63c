package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The handle base, without native code: a free stands in for the native side. */
class NativeHandleTest {
    private static final class Handle extends NativeHandle {
        Handle(long handle, java.util.function.LongConsumer free) {
            super(handle, free, "test handle");
        }
    }

    @Test
    void aCloseDuringALongCallReturnsAfterItAndFreesOnce() throws Exception {
        AtomicInteger frees = new AtomicInteger();
        AtomicLong callEnded = new AtomicLong();
        AtomicLong freedAt = new AtomicLong();
        Handle handle = new Handle(42, h -> {
            freedAt.set(System.nanoTime());
            frees.incrementAndGet();
        });
        CountDownLatch inCall = new CountDownLatch(1);
        Thread call = new Thread(() -> {
            long h = handle.acquire();
            try {
                assertEquals(42, h);
                inCall.countDown();
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                callEnded.set(System.nanoTime());
                handle.release();
            }
        });
        call.start();
        assertTrue(inCall.await(10, TimeUnit.SECONDS));
        handle.close();
        long closed = System.nanoTime();
        assertEquals(1, frees.get());
        assertTrue(callEnded.get() != 0 && callEnded.get() <= freedAt.get() && freedAt.get() <= closed,
                "the close returned before the call in flight ended");
        assertTrue(handle.isClosed());
        assertThrows(IllegalStateException.class, handle::acquire);
        handle.close();
        call.join();
        assertEquals(1, frees.get());
    }

    @Test
    void aCloseWithNoCallInFlightFreesAtOnce() {
        AtomicInteger frees = new AtomicInteger();
        Handle handle = new Handle(7, h -> frees.incrementAndGet());
        assertEquals(7, handle.acquire());
        handle.release();
        handle.close();
        assertEquals(1, frees.get());
    }
}
