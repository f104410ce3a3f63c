package io.jarrow;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Java values to and from the compact tagged encoding the native side reads (the core's
 * {@code jarrow::jvm::codec}, whose module doc is the wire format's spec; ValueCodecTest pins the
 * same bytes). One call's arguments cross JNI as one byte array instead of one JNI round trip per
 * object.
 */
final class ValueCodec {
    static final byte NULL = 0, FALSE = 1, TRUE = 2, INT = 3, FLOAT = 4, STR = 5, BYTES = 6, LIST = 7,
            MAP = 8, DATE = 9, TIME = 10, DATETIME = 11, DATETIME_TZ = 12, DECIMAL = 13, BIG_INT = 14,
            DURATION = 15;

    static final String SUPPORTED = "null, Boolean, Byte, Short, Integer, Long, Float, Double, String, "
            + "byte[], a primitive array, List, Map, LocalDate, LocalTime, LocalDateTime, OffsetDateTime, "
            + "ZonedDateTime, Instant, Duration, BigDecimal or BigInteger";

    private ByteBuffer buffer = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);

    private ValueCodec() {}

    /** Encodes positional arguments and keyword arguments of one call. */
    static byte[] encodeCall(Object[] args, Map<String, ?> kwargs) {
        ValueCodec codec = new ValueCodec();
        codec.count(args.length);
        for (int i = 0; i < args.length; i++) {
            codec.value(args[i], "argument", i);
        }
        codec.count(kwargs.size());
        for (Map.Entry<String, ?> entry : kwargs.entrySet()) {
            if (entry.getKey() == null) {
                throw new JarrowException("CONVERSION", "a keyword argument name is null");
            }
            codec.string(entry.getKey());
            codec.value(entry.getValue(), "keyword argument", entry.getKey());
        }
        return codec.bytes();
    }

    /** Encodes one row: column names and their values, in the map's order. */
    static byte[] encodeRow(Map<String, ?> row) {
        ValueCodec codec = new ValueCodec();
        codec.count(row.size());
        for (Map.Entry<String, ?> entry : row.entrySet()) {
            if (entry.getKey() == null) {
                throw new JarrowException("CONVERSION", "a column name is null");
            }
            codec.string(entry.getKey());
            codec.value(entry.getValue(), "column", entry.getKey());
        }
        return codec.bytes();
    }

    static byte[] encodeValue(Object value) {
        ValueCodec codec = new ValueCodec();
        codec.value(value, "value", null);
        return codec.bytes();
    }

    private byte[] bytes() {
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    private void ensure(int more) {
        if (buffer.remaining() < more) {
            int capacity = Math.max(buffer.capacity() * 2, buffer.position() + more);
            ByteBuffer bigger = ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
    }

    private void tag(byte tag) {
        ensure(1);
        buffer.put(tag);
    }

    private void count(int n) {
        ensure(4);
        buffer.putInt(n);
    }

    private void string(String s) {
        bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    private void bytes(byte[] b) {
        count(b.length);
        ensure(b.length);
        buffer.put(b);
    }

    private void longValue(long v) {
        ensure(8);
        buffer.putLong(v);
    }

    /**
     * Writes {@code v}; {@code what} and {@code which} name it in an error ("column amount"), put
     * together only then: this runs for every value of every row.
     */
    private void value(Object v, String what, Object which) {
        if (v == null) {
            tag(NULL);
        } else if (v instanceof Boolean b) {
            tag(b ? TRUE : FALSE);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            tag(INT);
            longValue(((Number) v).longValue());
        } else if (v instanceof Double || v instanceof Float) {
            tag(FLOAT);
            ensure(8);
            buffer.putDouble(((Number) v).doubleValue());
        } else if (v instanceof String s) {
            tag(STR);
            string(s);
        } else if (v instanceof byte[] b) {
            tag(BYTES);
            bytes(b);
        } else if (v instanceof List<?> list) {
            tag(LIST);
            count(list.size());
            for (Object item : list) {
                value(item, what, which);
            }
        } else if (v instanceof Map<?, ?> map) {
            tag(MAP);
            count(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                value(entry.getKey(), what, which);
                value(entry.getValue(), what, which);
            }
        } else if (v instanceof LocalDate d) {
            tag(DATE);
            longValue(d.toEpochDay());
        } else if (v instanceof LocalTime t) {
            tag(TIME);
            longValue(t.toNanoOfDay());
        } else if (v instanceof LocalDateTime dt) {
            tag(DATETIME);
            Instant instant = dt.toInstant(ZoneOffset.UTC);
            longValue(instant.getEpochSecond());
            count(instant.getNano());
        } else if (v instanceof OffsetDateTime odt) {
            offsetDateTime(odt);
        } else if (v instanceof ZonedDateTime zdt) {
            offsetDateTime(zdt.toOffsetDateTime());
        } else if (v instanceof Instant instant) {
            offsetDateTime(instant.atOffset(ZoneOffset.UTC));
        } else if (v instanceof BigDecimal d) {
            decimal(d);
        } else if (v instanceof BigInteger i) {
            if (i.bitLength() < 64) {
                tag(INT);
                longValue(i.longValue());
            } else {
                tag(BIG_INT);
                bytes(i.toByteArray());
            }
        } else if (v instanceof Duration d) {
            tag(DURATION);
            longValue(d.getSeconds());
            count(d.getNano());
        } else if (v.getClass().isArray()) {
            tag(LIST);
            int n = java.lang.reflect.Array.getLength(v);
            count(n);
            for (int i = 0; i < n; i++) {
                value(java.lang.reflect.Array.get(v, i), what, which);
            }
        } else {
            throw new JarrowException("CONVERSION", "cannot pass a " + v.getClass().getName() + " ("
                    + (which == null ? what : what + " " + which) + ") to Python; supported: " + SUPPORTED);
        }
    }

    private void offsetDateTime(OffsetDateTime odt) {
        tag(DATETIME_TZ);
        Instant instant = odt.toInstant();
        longValue(instant.getEpochSecond());
        count(instant.getNano());
        count(odt.getOffset().getTotalSeconds());
    }

    private void decimal(BigDecimal d) {
        tag(DECIMAL);
        count(d.scale());
        bytes(d.unscaledValue().toByteArray());
    }

    /** Decodes one value the native side encoded. */
    static Object decode(byte[] encoded) {
        ByteBuffer in = ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN);
        return read(in);
    }

    /** Decodes the arguments of one call from Python: positional values, then keyword pairs. */
    static Object[] decodeCall(byte[] encoded, Map<String, Object> kwargs) {
        ByteBuffer in = ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN);
        Object[] args = new Object[in.getInt()];
        for (int i = 0; i < args.length; i++) {
            args[i] = read(in);
        }
        int n = in.getInt();
        for (int i = 0; i < n; i++) {
            String name = readString(in);
            kwargs.put(name, read(in));
        }
        return args;
    }

    /** Decodes a row: column names and values, in the result's column order. */
    static Map<String, Object> decodeRow(byte[] encoded) {
        ByteBuffer in = ByteBuffer.wrap(encoded).order(ByteOrder.LITTLE_ENDIAN);
        int n = in.getInt();
        Map<String, Object> row = new LinkedHashMap<>(Math.max(4, n * 2));
        for (int i = 0; i < n; i++) {
            String name = readString(in);
            row.put(name, read(in));
        }
        return row;
    }

    private static String readString(ByteBuffer in) {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static Object read(ByteBuffer in) {
        byte tag = in.get();
        switch (tag) {
            case NULL:
                return null;
            case FALSE:
                return Boolean.FALSE;
            case TRUE:
                return Boolean.TRUE;
            case INT:
                return in.getLong();
            case FLOAT:
                return in.getDouble();
            case STR:
                return readString(in);
            case BYTES: {
                byte[] b = new byte[in.getInt()];
                in.get(b);
                return b;
            }
            case LIST: {
                int n = in.getInt();
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(read(in));
                }
                return list;
            }
            case MAP: {
                int n = in.getInt();
                Map<Object, Object> map = new LinkedHashMap<>(Math.max(4, n * 2));
                for (int i = 0; i < n; i++) {
                    Object key = read(in);
                    map.put(key, read(in));
                }
                return map;
            }
            case DATE:
                return LocalDate.ofEpochDay(in.getLong());
            case TIME:
                return LocalTime.ofNanoOfDay(in.getLong());
            case DATETIME: {
                long seconds = in.getLong();
                int nanos = in.getInt();
                return LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC);
            }
            case DATETIME_TZ: {
                long seconds = in.getLong();
                int nanos = in.getInt();
                ZoneOffset offset = ZoneOffset.ofTotalSeconds(in.getInt());
                return Instant.ofEpochSecond(seconds, nanos).atOffset(offset);
            }
            case DECIMAL: {
                int scale = in.getInt();
                byte[] unscaled = new byte[in.getInt()];
                in.get(unscaled);
                return new BigDecimal(new BigInteger(unscaled), scale);
            }
            case BIG_INT: {
                byte[] magnitude = new byte[in.getInt()];
                in.get(magnitude);
                return new BigInteger(magnitude);
            }
            case DURATION: {
                long seconds = in.getLong();
                return Duration.ofSeconds(seconds, in.getInt());
            }
            default:
                throw new JarrowException("CONVERSION", "unknown value tag " + tag + " from native code");
        }
    }
}
