package io.kekvault.esxi.crypto;

/** Argument checks shared by the engines, so both refuse exactly the same calls. */
final class XtsArgs {
    private XtsArgs() {
    }

    static int checkDataUnit(int dataUnitSize) {
        if (dataUnitSize < XtsEngine.BLOCK || dataUnitSize % XtsEngine.BLOCK != 0
                || dataUnitSize > (1 << 20) * XtsEngine.BLOCK) {
            throw new IllegalArgumentException("data unit must be a positive multiple of 16 bytes, at most 2^20 blocks: "
                    + dataUnitSize);
        }
        return dataUnitSize;
    }

    /** Checks length and unit numbers; returns the number of data units. */
    static long checkUnits(long firstUnit, long length, int unit) {
        if (firstUnit < 0) {
            throw new IllegalArgumentException("data unit number must not be negative: " + firstUnit);
        }
        if (length <= 0 || length % unit != 0) {
            throw new IllegalArgumentException("length must be a positive multiple of the data unit ("
                    + unit + "): " + length);
        }
        long units = length / unit;
        if (firstUnit + units < firstUnit) {
            throw new IllegalArgumentException("data unit numbers overflow");
        }
        return units;
    }

    static void checkArrays(byte[] src, int srcOffset, byte[] dst, int dstOffset, int length) {
        java.util.Objects.checkFromIndexSize(srcOffset, length, src.length);
        java.util.Objects.checkFromIndexSize(dstOffset, length, dst.length);
        if (src == dst && srcOffset != dstOffset && Math.abs(srcOffset - dstOffset) < length) {
            throw new IllegalArgumentException("source and destination overlap partially");
        }
    }

    /** Refuses buffers that share memory without being the very same region. */
    static void checkBuffers(java.nio.ByteBuffer src, java.nio.ByteBuffer dst, int length) {
        java.lang.foreign.MemorySegment a = java.lang.foreign.MemorySegment.ofBuffer(src).asSlice(0, length);
        java.lang.foreign.MemorySegment b = java.lang.foreign.MemorySegment.ofBuffer(dst).asSlice(0, length);
        if (partiallyOverlapping(a, b)) {
            throw new IllegalArgumentException("source and destination overlap partially");
        }
    }

    static boolean partiallyOverlapping(java.lang.foreign.MemorySegment a, java.lang.foreign.MemorySegment b) {
        if (a.asOverlappingSlice(b).isEmpty()) {
            return false;
        }
        return a.address() != b.address() || a.byteSize() != b.byteSize();
    }
}
