package io.jarrow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The value wire format, pinned byte for byte. The same values and bytes are written in the core's
 * codec tests (bridge/src/jvm/codec.rs), whose module doc is the format's spec: a change to either
 * half fails one of the two tests. No native code is involved.
 */
class ValueCodecTest {
    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static void golden(Object value, byte[] expected) {
        assertArrayEquals(expected, ValueCodec.encodeValue(value), String.valueOf(value));
        Object decoded = ValueCodec.decode(expected);
        if (value instanceof byte[] b) {
            assertArrayEquals(b, (byte[]) decoded);
        } else {
            assertEquals(value, decoded);
        }
    }

    @Test
    void valuesEncodeToTheGoldenBytesAndBack() {
        golden(null, bytes(0));
        golden(false, bytes(1));
        golden(true, bytes(2));
        golden(1L, bytes(3, 1, 0, 0, 0, 0, 0, 0, 0));
        golden(-2L, bytes(3, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF));
        golden(1.5, bytes(4, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F));
        golden("hé", bytes(5, 3, 0, 0, 0, 'h', 0xC3, 0xA9));
        golden(new byte[] {1, 2}, bytes(6, 2, 0, 0, 0, 1, 2));
        golden(Arrays.asList(1L, null), bytes(7, 2, 0, 0, 0, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0));
        golden(Map.of("a", true), bytes(8, 1, 0, 0, 0, 5, 1, 0, 0, 0, 'a', 2));
        golden(LocalDate.of(1970, 1, 2), bytes(9, 1, 0, 0, 0, 0, 0, 0, 0));
        golden(LocalTime.of(0, 0, 1, 2), bytes(10, 0x02, 0xCA, 0x9A, 0x3B, 0, 0, 0, 0));
        golden(LocalDateTime.of(1970, 1, 1, 0, 0, 1, 5), bytes(11, 1, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0));
        golden(OffsetDateTime.of(1970, 1, 1, 1, 0, 1, 0, ZoneOffset.ofHours(1)),
                bytes(12, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x0E, 0, 0));
        golden(new BigDecimal("1.25"), bytes(13, 2, 0, 0, 0, 1, 0, 0, 0, 0x7D));
        golden(BigInteger.ONE.shiftLeft(64), bytes(14, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0));
        golden(Duration.ofMillis(-1500), bytes(15, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x65, 0xCD, 0x1D));
    }

    @Test
    void aCallAndARowEncodeToTheGoldenBytesAndBack() {
        byte[] call = bytes(1, 0, 0, 0, 3, 7, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 'k', 5, 1, 0, 0, 0, 'v');
        assertArrayEquals(call, ValueCodec.encodeCall(new Object[] {7L}, Map.of("k", "v")));
        Map<String, Object> kwargs = new HashMap<>();
        assertEquals(List.of(7L), List.of(ValueCodec.decodeCall(call, kwargs)));
        assertEquals(Map.of("k", "v"), kwargs);

        byte[] row = bytes(1, 0, 0, 0, 1, 0, 0, 0, 'a', 3, 1, 0, 0, 0, 0, 0, 0, 0);
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("a", 1L);
        assertArrayEquals(row, ValueCodec.encodeRow(values));
        assertEquals(values, ValueCodec.decodeRow(row));
    }

    @Test
    void stringsAreUtf8WithAByteLength() {
        String text = "\u00e9\ud83d\ude00";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte[] encoded = ValueCodec.encodeValue(text);
        assertEquals(5, encoded[0]);
        assertEquals(utf8.length, encoded[1]);
        assertArrayEquals(utf8, Arrays.copyOfRange(encoded, 5, encoded.length));
    }
}
