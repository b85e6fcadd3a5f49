package io.omelet.profile;

import java.io.Serializable;

/** Open-addressing map from long keys to counts: exact value counts without boxing. */
final class LongCountMap implements Serializable {
  private static final long serialVersionUID = 1L;
  private long[] keys;
  private long[] counts; // 0 marks an empty slot
  private int size;
  private int mask;

  LongCountMap(int expected) {
    int cap = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    keys = new long[cap];
    counts = new long[cap];
    mask = cap - 1;
  }

  static int mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return (int) k;
  }

  void add(long key, long count) {
    int i = mix(key) & mask;
    while (true) {
      long c = counts[i];
      if (c == 0) {
        keys[i] = key;
        counts[i] = count;
        if (++size * 2 > keys.length) grow();
        return;
      }
      if (keys[i] == key) {
        counts[i] = c + count;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  int size() {
    return size;
  }

  private void grow() {
    long[] ok = keys, oc = counts;
    keys = new long[ok.length * 2];
    counts = new long[ok.length * 2];
    mask = keys.length - 1;
    size = 0;
    for (int i = 0; i < ok.length; i++) if (oc[i] != 0) add(ok[i], oc[i]);
  }

  interface Visitor {
    void visit(long key, long count);
  }

  void forEach(Visitor v) {
    for (int i = 0; i < keys.length; i++) if (counts[i] != 0) v.visit(keys[i], counts[i]);
  }
}
