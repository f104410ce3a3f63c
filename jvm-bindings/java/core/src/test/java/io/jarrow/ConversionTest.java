package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The conversion table, both ways, with boundary values. */
class ConversionTest {
    static PythonFunction identity;
    static PythonFunction typeName;

    @BeforeAll
    static void resolve() {
        identity = TestPython.runtime().function("jvm_udfs:identity");
        typeName = TestPython.runtime().function("jvm_udfs:type_name");
    }

    private static Object roundTrip(Object value) {
        return identity.call(value);
    }

    @Test
    void integersOfEveryWidthBecomePythonIntsAndComeBackAsLong() {
        for (long v : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, Integer.MIN_VALUE, 255, 256}) {
            assertEquals(v, roundTrip(v));
        }
        assertEquals(127L, roundTrip((byte) 127));
        assertEquals(-32768L, roundTrip(Short.MIN_VALUE));
        assertEquals((long) Integer.MAX_VALUE, roundTrip(Integer.MAX_VALUE));
        for (Object v : new Object[] {(byte) 1, (short) 1, 1, 1L, BigInteger.ONE}) {
            assertEquals("int", typeName.call(v), v.getClass().getName());
        }
    }

    @Test
    void floatsIncludingNanInfinityAndSignedZero() {
        for (double v : new double[] {0.5, -2.25, Double.MAX_VALUE, Double.MIN_VALUE, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY}) {
            assertEquals(v, roundTrip(v));
        }
        assertTrue(Double.isNaN((Double) roundTrip(Double.NaN)));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) roundTrip(-0.0)));
        assertEquals(1.5, roundTrip(1.5f));
        assertEquals("float", typeName.call(1.5f));
    }

    @Test
    void nullBooleansStringsAndBytes() {
        assertEquals(null, roundTrip(null));
        assertEquals("NoneType", typeName.call((Object) null));
        assertEquals(true, roundTrip(true));
        assertEquals(false, roundTrip(false));
        for (String s : new String[] {"", "a", "héllo wörld", "日本語", "emoji 🎉", "nul\0inside"}) {
            assertEquals(s, roundTrip(s));
        }
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        assertArrayEquals(all, (byte[]) roundTrip(all));
        assertArrayEquals(new byte[0], (byte[]) roundTrip(new byte[0]));
        assertEquals("bytes", typeName.call((Object) new byte[] {1}));
    }

    @Test
    void arraysListsAndMapsNested() {
        assertEquals(List.of(1L, 2L, 3L), roundTrip(new int[] {1, 2, 3}));
        assertEquals(List.of(1.5, 2.5), roundTrip(new double[] {1.5, 2.5}));
        assertEquals(List.of(true, false), roundTrip(new boolean[] {true, false}));
        assertEquals(List.of(9L), roundTrip(new long[] {9}));
        assertEquals(List.of("a", "b"), roundTrip(new String[] {"a", "b"}));
        Map<Object, Object> nested = new LinkedHashMap<>();
        nested.put("ids", Arrays.asList(1L, null, 3L));
        nested.put(7L, List.of());
        nested.put("inner", Map.of("deep", List.of(List.of(0.5))));
        assertEquals(nested, roundTrip(nested));
        assertEquals("list", typeName.call(List.of()));
        assertEquals("dict", typeName.call(Map.of()));
    }

    @Test
    void datesTimesAndDecimals() {
        for (LocalDate d : new LocalDate[] {LocalDate.of(2024, 2, 29), LocalDate.of(1, 1, 1), LocalDate.of(9999, 12, 31),
                LocalDate.of(1969, 12, 31)}) {
            assertEquals(d, roundTrip(d));
        }
        assertEquals(LocalTime.of(23, 59, 59, 999_999_000), roundTrip(LocalTime.of(23, 59, 59, 999_999_000)));
        LocalDateTime dt = LocalDateTime.of(1969, 12, 31, 23, 59, 59, 123_456_000);
        assertEquals(dt, roundTrip(dt));
        OffsetDateTime odt = dt.atOffset(ZoneOffset.ofHoursMinutes(5, 30));
        assertEquals(odt, roundTrip(odt));
        assertEquals(Instant.ofEpochSecond(1_700_000_000).atOffset(ZoneOffset.UTC),
                roundTrip(Instant.ofEpochSecond(1_700_000_000)));
        for (String d : new String[] {"0", "-1.5", "12345678901234567890.0123456789", "1E-30", "1E+3"}) {
            assertEquals(new BigDecimal(d), roundTrip(new BigDecimal(d)));
        }
        assertEquals(new BigDecimal("18446744073709551616"), roundTrip(new BigInteger("18446744073709551616")));
        assertEquals("date", typeName.call(LocalDate.of(2020, 1, 1)));
        assertEquals("datetime", typeName.call(dt));
        assertEquals("Decimal", typeName.call(BigDecimal.ONE));
    }

    @Test
    void unsupportedJavaTypesNameTheTypeAndTheExpectedOnes() {
        JarrowException e = assertThrows(JarrowException.class, () -> identity.call(new Object()));
        assertEquals("CONVERSION", e.code());
        assertTrue(e.getMessage().contains("java.lang.Object") && e.getMessage().contains("BigDecimal"), e.getMessage());
        JarrowException big = assertThrows(JarrowException.class, () -> TestPython.runtime().function("jvm_udfs:huge").call());
        assertEquals("CONVERSION", big.code());
        assertTrue(big.getMessage().contains("18446744073709551616"), big.getMessage());
        JarrowException object = assertThrows(JarrowException.class,
                () -> TestPython.runtime().function("jvm_udfs:unconvertible").call());
        assertTrue(object.getMessage().contains("object"), object.getMessage());
    }
}
