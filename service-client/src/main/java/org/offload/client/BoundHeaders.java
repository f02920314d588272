package org.offload.client;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.offload.service.internal.Wire;

/**
 * A request's headers plus its binding to one instance ({@link Wire#INSTANCE}), as a read-only view for the
 * encoder, which only sizes and iterates it: the sender used to copy every request's header map to add the
 * binding. A binding header already among the request's is replaced, as {@code put} on a copy would.
 */
final class BoundHeaders extends AbstractMap<String, String> {
    private final Map<String, String> headers;
    private final String instanceId;

    BoundHeaders(Map<String, String> headers, String instanceId) {
        this.headers = headers;
        this.instanceId = instanceId;
    }

    @Override
    public int size() {
        return headers.size() + (headers.containsKey(Wire.INSTANCE) ? 0 : 1);
    }

    @Override
    public boolean containsKey(Object key) {
        return Wire.INSTANCE.equals(key) || headers.containsKey(key);
    }

    @Override
    public String get(Object key) {
        return Wire.INSTANCE.equals(key) ? instanceId : headers.get(key);
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return BoundHeaders.this.size();
            }

            @Override
            public Iterator<Entry<String, String>> iterator() {
                return new Iterator<>() {
                    private final Iterator<Entry<String, String>> rest = headers.entrySet().iterator();
                    private Entry<String, String> next = advance();
                    private boolean bindingGiven;

                    private Entry<String, String> advance() {
                        while (rest.hasNext()) {
                            Entry<String, String> e = rest.next();
                            if (!Wire.INSTANCE.equals(e.getKey())) {
                                return e;
                            }
                        }
                        return null;
                    }

                    @Override
                    public boolean hasNext() {
                        return next != null || !bindingGiven;
                    }

                    @Override
                    public Entry<String, String> next() {
                        if (next != null) {
                            Entry<String, String> e = next;
                            next = advance();
                            return e;
                        }
                        if (bindingGiven) {
                            throw new NoSuchElementException();
                        }
                        bindingGiven = true;
                        return Map.entry(Wire.INSTANCE, instanceId);
                    }
                };
            }
        };
    }
}
