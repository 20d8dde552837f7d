package io.streamlm.engine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The chained hash that keys prefix-cache blocks and state snapshots: {@code root(tenant, modelId)} starts
 * a chain, {@code next(parent, tokens)} extends it by one block (or by a snapshot's partial block).
 *
 * <p>Hits are always re-checked against the stored tokens, tenant and parent, so a collision costs a miss,
 * never a wrong output; the hash only has to make collisions rare. Package-private so tests can inject a
 * deliberately colliding one.
 */
interface PrefixHasher {

    long root(String tenant, String modelId);

    long next(long parentHash, int[] tokens, int from, int to);

    /** SHA-256 truncated to 64 bits: strong enough that crafted prompts cannot aim collisions cheaply. */
    static PrefixHasher sha256() {
        return new PrefixHasher() {
            @Override
            public long root(String tenant, String modelId) {
                MessageDigest md = digest();
                md.update(tenant.getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(modelId.getBytes(StandardCharsets.UTF_8));
                return ByteBuffer.wrap(md.digest()).getLong();
            }

            @Override
            public long next(long parentHash, int[] tokens, int from, int to) {
                ByteBuffer buf = ByteBuffer.allocate(8 + 4 * (to - from)); // parent, then the tokens
                buf.putLong(parentHash);
                for (int i = from; i < to; i++) {
                    buf.putInt(tokens[i]);
                }
                MessageDigest md = digest();
                md.update(buf.array());
                return ByteBuffer.wrap(md.digest()).getLong();
            }
        };
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
