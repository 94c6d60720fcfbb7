package moe.ids.testing;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;

/**
 * Test support: the text a record's generated {@code toString()} would give, read through reflection, to compare a
 * hand-written {@code toString()} with (so that a component added later cannot be left out of it).
 */
public final class RecordTexts {
    private RecordTexts() {
    }

    /**
     * @param record a record
     * @return {@code Type[name=value, …]} over every component, in declaration order
     */
    public static String generated(Record record) {
        List<String> parts = new ArrayList<>();
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            try {
                c.getAccessor().setAccessible(true);
                parts.add(c.getName() + "=" + c.getAccessor().invoke(record));
            } catch (ReflectiveOperationException ex) {
                throw new IllegalStateException(ex);
            }
        }
        return record.getClass().getSimpleName() + "[" + String.join(", ", parts) + "]";
    }
}
