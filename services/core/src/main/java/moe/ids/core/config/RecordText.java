package moe.ids.core.config;

/**
 * The text a record's generated {@code toString()} gives ({@code Type[a=1, b=x]}), written out by hand. The
 * settings records log themselves once at start, and the generated method links through
 * {@code java.lang.runtime.ObjectMethods} on its first call, which spins method handles for every component:
 * 70–100 ms on the start path of a service whose settings record has ten components, even from the JDK's
 * ahead-of-time cache, against about 2 ms for this.
 */
public final class RecordText {
    private RecordText() {
    }

    /**
     * @param type           the record's simple name
     * @param namesAndValues each component's name followed by its value, in declaration order
     * @return {@code type[name=value, …]}
     */
    public static String of(String type, Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        StringBuilder b = new StringBuilder(type.length() + namesAndValues.length * 16).append(type).append('[');
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(namesAndValues[i]).append('=').append(namesAndValues[i + 1]);
        }
        return b.append(']').toString();
    }
}
