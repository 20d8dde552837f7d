package io.streamlm.operators.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrefixAffinityPartitionerTest {

    @Test
    void aKeyStaysOnOneChannelWhileTheLoadIsBalanced() {
        PrefixAffinityPartitioner p = new PrefixAffinityPartitioner(0.25, 1_000_000);
        Map<String, Set<Integer>> channelsOfKey = new HashMap<>();
        // 64 keys with equal traffic, round robin: well within the bound, so no key should ever spill
        for (int round = 0; round < 50; round++) {
            for (int k = 0; k < 64; k++) {
                String key = "tenant-" + (k % 4) + "/" + Integer.toHexString(k * 7919);
                channelsOfKey.computeIfAbsent(key, x -> new HashSet<>()).add(p.partition(key, 4));
            }
        }
        long sticky = channelsOfKey.values().stream().filter(s -> s.size() == 1).count();
        assertTrue(sticky >= 48, "most keys keep one channel when traffic is even, got " + sticky + " of 64");
    }

    @Test
    void oneHotTemplateCannotOverloadAChannel() {
        double epsilon = 0.25;
        int numChannels = 4;
        PrefixAffinityPartitioner p = new PrefixAffinityPartitioner(epsilon, 1_000_000);
        long[] counts = new long[numChannels];
        Random rnd = new Random(7);
        Set<Integer> hotChannels = new HashSet<>();
        for (int n = 1; n <= 10_000; n++) {
            // 90% of requests share one template
            String key = rnd.nextDouble() < 0.9 ? "acme/hot" : "acme/" + rnd.nextInt(1000);
            int c = p.partition(key, numChannels);
            if (key.equals("acme/hot")) {
                hotChannels.add(c);
            }
            counts[c]++;
            long bound = (long) Math.ceil((1 + epsilon) * n / numChannels);
            for (long count : counts) {
                assertTrue(count <= bound, "after " + n + " records a channel holds " + count + " > bound " + bound);
            }
        }
        assertTrue(hotChannels.size() <= numChannels);
        long max = 0;
        for (long c : counts) {
            max = Math.max(max, c);
        }
        assertTrue(max > 10_000 / numChannels, "the hot key fills its preferred channel up to the bound");
    }

    @Test
    void decayKeepsTheBoundWithinOneRecord() {
        double epsilon = 0.1;
        PrefixAffinityPartitioner p = new PrefixAffinityPartitioner(epsilon, 100);
        long[] window = new long[3];
        for (int n = 0; n < 5_000; n++) {
            int c = p.partition(n % 10 == 0 ? "t/cold" + n : "t/hot", 3);
            window[c]++;
            if ((n + 1) % 100 == 0) {
                long total = window[0] + window[1] + window[2];
                for (long w : window) {
                    assertTrue(w <= Math.ceil((1 + epsilon) * total / 3) + 1, "window load " + w + " of " + total);
                }
                window = new long[3];
            }
        }
    }

    @Test
    void rejectsNonsenseBounds() {
        try {
            new PrefixAffinityPartitioner(0, 10);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("epsilon"));
            return;
        }
        throw new AssertionError("epsilon 0 accepted");
    }

    @Test
    void singleChannelTakesEverything() {
        PrefixAffinityPartitioner p = new PrefixAffinityPartitioner(0.5, 10);
        for (int i = 0; i < 100; i++) {
            assertEquals(0, p.partition("k" + i, 1));
        }
    }
}
