package moe.ids.core.config;

import moe.ids.core.error.ConfigException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UrlsTest {
    @Test
    void postgresFormBecomesJdbc() {
        DatabaseUrl u = DatabaseUrl.parse("DATABASE_URL", "postgres://ids:p%40ss:w@db.example:6543/ids_moe?sslmode=require");
        assertEquals("jdbc:postgresql://db.example:6543/ids_moe?sslmode=require", u.jdbcUrl());
        assertEquals("ids", u.user());
        assertEquals("p@ss:w", u.password());
        assertEquals("ids_moe", u.database());
        assertFalse(u.redacted().contains("p@ss"), u.redacted());
        assertEquals("jdbc:postgresql://db.example:6543/postgres?sslmode=require", u.withDatabase("postgres").jdbcUrl());
    }

    @Test
    void jdbcFormIsKeptAndRedacted() {
        DatabaseUrl u = DatabaseUrl.parse("DATABASE_URL", "jdbc:postgresql://h:5432/x?user=a&password=secret");
        assertEquals("jdbc:postgresql://h:5432/x?user=a&password=secret", u.jdbcUrl());
        assertFalse(u.redacted().contains("secret"), u.redacted());
        assertEquals("x", u.database());
        assertEquals("jdbc:postgresql://127.0.0.1:5432/ids_moe",
                DatabaseUrl.parse("X", DatabaseUrl.DEFAULT).jdbcUrl());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "mysql://h/db", "postgres://h", "postgres:///db", "postgres://h/a/b", "h:5432/db"})
    void badDatabaseUrlNamesTheVariable(String value) {
        ConfigException ex = assertThrows(ConfigException.class, () -> DatabaseUrl.parse("DATABASE_URL", value));
        assertTrue(ex.getMessage().startsWith("DATABASE_URL"), ex.getMessage());
    }

    @Test
    void redisForms() {
        RedisUrl plain = RedisUrl.parse("REDIS_URL", "redis://127.0.0.1:6379/2");
        assertEquals(new RedisUrl("127.0.0.1", 6379, 2, null, null, false), plain);
        RedisUrl pw = RedisUrl.parse("REDIS_URL", "redis://:s3cret@cache:6380");
        assertEquals(new RedisUrl("cache", 6380, 0, null, "s3cret", false), pw);
        assertFalse(pw.redacted().contains("s3cret"));
        RedisUrl tls = RedisUrl.parse("REDIS_URL", "rediss://app:p%2Fw@secure.example/1");
        assertTrue(tls.tls());
        assertEquals("app", tls.user());
        assertEquals("p/w", tls.password());
        assertEquals(6379, tls.port());
        assertEquals("rediss://app:***@secure.example:6379/1", tls.redacted());
        assertNull(RedisUrl.parse("R", RedisUrl.DEFAULT).password());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "http://h", "redis://", "redis://h/x", "redis://h/-1", "127.0.0.1:6379"})
    void badRedisUrlNamesTheVariable(String value) {
        ConfigException ex = assertThrows(ConfigException.class, () -> RedisUrl.parse("REDIS_URL", value));
        assertTrue(ex.getMessage().startsWith("REDIS_URL"), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"redis://127.0.0.1:notaport/0", "redis://:pw@cache:63a9", "rediss://u:p@h:-1/0",
            "redis://[::1]:x/0"})
    void redisPortThatIsNotANumberIsSaidSo(String value) {
        ConfigException ex = assertThrows(ConfigException.class, () -> RedisUrl.parse("REDIS_URL", value));
        assertTrue(ex.getMessage().startsWith("REDIS_URL port must be a number (got '"), ex.getMessage());
        assertFalse(ex.getMessage().contains("pw"), "no password in the message: " + ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgres://u:secret@db:notaport/ids_moe", "postgresql://db:5o32/ids_moe",
            "jdbc:postgresql://db:notaport/ids_moe?user=a", "jdbc:postgresql://a:5432,b:x/ids_moe"})
    void databasePortThatIsNotANumberIsSaidSo(String value) {
        ConfigException ex = assertThrows(ConfigException.class, () -> DatabaseUrl.parse("DATABASE_URL", value));
        assertTrue(ex.getMessage().startsWith("DATABASE_URL port must be a number (got '"), ex.getMessage());
        assertFalse(ex.getMessage().contains("secret"), "no password in the message: " + ex.getMessage());
    }

    @Test
    void portOutOfRangeAndHostsAreNamed() {
        assertEquals("REDIS_URL port must be between 1 and 65535 (got 70000)",
                assertThrows(ConfigException.class, () -> RedisUrl.parse("REDIS_URL", "redis://h:70000/0")).getMessage());
        assertEquals("DATABASE_URL port must be between 1 and 65535 (got 0)", assertThrows(ConfigException.class,
                () -> DatabaseUrl.parse("DATABASE_URL", "jdbc:postgresql://h:0/db")).getMessage());
        assertEquals("REDIS_URL has no valid host name (got 'redis_host:6379')", assertThrows(ConfigException.class,
                () -> RedisUrl.parse("REDIS_URL", "redis://:secret@redis_host:6379/0")).getMessage());
        assertEquals("REDIS_URL has no host",
                assertThrows(ConfigException.class, () -> RedisUrl.parse("REDIS_URL", "redis://:6379/0")).getMessage());
        // well-formed ports, IPv6 hosts and the JDBC forms without a host still parse
        assertEquals(6380, RedisUrl.parse("REDIS_URL", "redis://[::1]:6380/0").port());
        assertEquals(6379, RedisUrl.parse("REDIS_URL", "redis://h:/0").port());
        assertEquals("jdbc:postgresql://a:5432,[::1]:5433/db",
                DatabaseUrl.parse("DATABASE_URL", "jdbc:postgresql://a:5432,[::1]:5433/db").jdbcUrl());
        assertEquals("jdbc:postgresql:ids_moe", DatabaseUrl.parse("DATABASE_URL", "jdbc:postgresql:ids_moe").jdbcUrl());
        assertEquals("jdbc:postgresql://db:5432/ids_moe",
                DatabaseUrl.parse("DATABASE_URL", "postgres://db:5432/ids_moe").jdbcUrl());
    }
}
