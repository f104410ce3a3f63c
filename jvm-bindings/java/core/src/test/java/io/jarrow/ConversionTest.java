package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
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
        identity = TestPython.runtime().function("udfs:identity");
        typeName = TestPython.runtime().function("udfs:type_name");
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
        assertEquals("date", typeName.call(LocalDate.of(2020, 1, 1)));
        assertEquals("datetime", typeName.call(dt));
        assertEquals("Decimal", typeName.call(BigDecimal.ONE));
    }

    @Test
    void unsupportedJavaTypesNameTheTypeAndTheExpectedOnes() {
        JarrowException e = assertThrows(JarrowException.class, () -> identity.call(new Object()));
        assertEquals("CONVERSION", e.code());
        assertTrue(e.getMessage().contains("java.lang.Object") && e.getMessage().contains("BigDecimal"), e.getMessage());
        JarrowException object = assertThrows(JarrowException.class,
                () -> TestPython.runtime().function("udfs:unconvertible").call());
        assertTrue(object.getMessage().contains("object"), object.getMessage());
    }

    @Test
    void bigIntegersBeyond64BitsAreExactPythonIntsBothWays() {
        BigInteger two64 = BigInteger.TWO.pow(64);
        for (BigInteger v : new BigInteger[] {BigInteger.TWO.pow(63), BigInteger.TWO.pow(63).negate().subtract(BigInteger.ONE),
                two64, BigInteger.TEN.pow(40), BigInteger.TEN.pow(40).negate(), BigInteger.TWO.pow(1000)}) {
            assertEquals(v, roundTrip(v), v.toString());
            assertEquals("int", typeName.call(v));
        }
        assertEquals(two64, TestPython.runtime().function("udfs:two_to_the_64").call());
        assertEquals(Long.MAX_VALUE, roundTrip(BigInteger.valueOf(Long.MAX_VALUE)), "a BigInteger in range is a Long");
        JarrowException e = assertThrows(JarrowException.class,
                () -> TestPython.runtime().function("udfs:times_two_to_the_64").callLong(3));
        assertEquals("CONVERSION", e.code());
        assertTrue(e.getMessage().contains("does not fit in 64 bits"), e.getMessage());
    }

    private static Object python(String expression) {
        return TestPython.runtime().function("udfs:value_of").call(expression);
    }

    @Test
    void numpyAndPandasDatetimesKeepTheirPrecisionAndNatIsNull() {
        LocalDateTime nanos = LocalDateTime.of(2024, 1, 2, 3, 4, 5, 123_456_789);
        assertEquals(nanos, python("np.datetime64('2024-01-02T03:04:05.123456789', 'ns')"));
        assertEquals(nanos, python("pd.Timestamp('2024-01-02 03:04:05.123456789')"));
        assertEquals(nanos.atOffset(ZoneOffset.UTC), python("pd.Timestamp('2024-01-02 03:04:05.123456789', tz='UTC')"));
        assertEquals(nanos.atOffset(ZoneOffset.ofHours(2)),
                python("pd.Timestamp('2024-01-02 03:04:05.123456789').tz_localize(datetime.timezone(datetime.timedelta(hours=2)))"));
        assertEquals(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_999), python("np.datetime64(-1, 'ns')"));
        String[][] units = {{"s", "0"}, {"ms", "123000000"}, {"us", "123456000"}, {"ns", "123456789"}};
        for (String[] unit : units) {
            assertEquals(LocalDateTime.of(2024, 1, 2, 3, 4, 5, Integer.parseInt(unit[1])),
                    python("np.datetime64('2024-01-02T03:04:05.123456789', 'ns').astype('datetime64[" + unit[0] + "]')"), unit[0]);
        }
        assertEquals(LocalDateTime.of(2024, 1, 2, 3, 0), python("np.datetime64('2024-01-02T03', 'h')"));
        assertEquals(LocalDateTime.of(1970, 1, 1, 0, 0, 0, 7), python("np.datetime64(7000, 'ps')"));
        assertEquals(LocalDateTime.of(1970, 1, 1, 0, 0, 0, 50), python("np.datetime64(5, '10ns')"));
        assertEquals(LocalDate.of(2024, 1, 2), python("np.datetime64('2024-01-02', 'D')"));
        assertEquals(LocalDate.of(2024, 3, 1), python("np.datetime64('2024-03', 'M')"));
        for (String nat : new String[] {"pd.NaT", "np.datetime64('NaT')", "np.datetime64('NaT', 'ns')", "np.timedelta64('NaT')"}) {
            assertEquals(null, python(nat), nat);
        }
        JarrowException e = assertThrows(JarrowException.class, () -> python("np.datetime64(7001, 'ps')"));
        assertEquals("CONVERSION", e.code());
        assertTrue(e.getMessage().contains("below the nanosecond"), e.getMessage());
    }

    @Test
    void timedeltasOfEveryKindBecomeDurations() {
        assertEquals(Duration.ofNanos(1500), python("np.timedelta64(1500, 'ns')"));
        assertEquals(Duration.ofNanos(1), python("pd.Timedelta(1, 'ns')"));
        assertEquals(Duration.ofDays(1).plusNanos(5), python("pd.Timedelta(days=1, nanoseconds=5)"));
        assertEquals(Duration.ofSeconds(-86_400 + 5, 250_000_000),
                python("datetime.timedelta(days=-1, seconds=5, microseconds=250000)"));
        assertEquals(Duration.ofHours(3), python("np.timedelta64(3, 'h')"));
        assertEquals(Duration.ofDays(14), python("np.timedelta64(2, 'W')"));
        assertEquals(Duration.ofMillis(-1500), python("np.timedelta64(-1500, 'ms')"));
        for (Duration d : new Duration[] {Duration.ZERO, Duration.ofMillis(-1500), Duration.ofDays(400).plusNanos(123_000)}) {
            assertEquals(d, roundTrip(d), d.toString());
        }
        assertEquals("timedelta", typeName.call(Duration.ofSeconds(1)));
        JarrowException months = assertThrows(JarrowException.class, () -> python("np.timedelta64(3, 'M')"));
        assertTrue(months.getMessage().contains("no fixed length"), months.getMessage());
    }

    @Test
    void numpyScalarsOfEveryTypeConvertAndTheFastPathsAgree() {
        String[] ints = {"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"};
        for (String type : ints) {
            assertEquals(7L, python("np." + type + "(7)"), type);
        }
        assertEquals(-128L, python("np.int8(-128)"));
        assertEquals(new BigInteger("18446744073709551615"), python("np.uint64(2**64 - 1)"));
        assertEquals(0.5, python("np.float16(0.5)"));
        assertEquals(1.5, python("np.float32(1.5)"));
        assertEquals(0.1, python("np.float64(0.1)"));
        assertEquals("text", python("np.str_('text')"));
        assertArrayEquals(new byte[] {1, 2}, (byte[]) python("np.bytes_(b'\\x01\\x02')"));
        assertEquals(true, python("np.bool_(True)"));
        // callLong and callDouble take what call() takes.
        assertEquals(8L, TestPython.runtime().function("udfs:numpy_int").callLong(7));
        assertEquals(8L, TestPython.runtime().function("udfs:numpy_int").call(7L));
        assertEquals(3.5, TestPython.runtime().function("udfs:numpy_float").callDouble(7.0));
        assertEquals(8.0, TestPython.runtime().function("udfs:numpy_int").callDouble(7.0));
    }
}
