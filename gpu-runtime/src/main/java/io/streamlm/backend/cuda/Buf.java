package io.streamlm.backend.cuda;

/**
 * A typed window of device memory: an allocation ({@code base}: a CUdeviceptr on the GPU, a Java array in
 * the CPU twin) plus an element offset. Views share the allocation; only the allocation owner frees it.
 *
 * @param base   the allocation
 * @param elem   element type
 * @param offset first element of this view inside the allocation
 * @param length elements in this view
 */
record Buf(Object base, Elem elem, long offset, long length) {

    /** Element types kernels exchange. */
    enum Elem {
        F32(4), BF16(2), I32(4), F64(8), U64(8);

        final int bytes;

        Elem(int bytes) {
            this.bytes = bytes;
        }
    }

    /** The view starting {@code elems} elements further on, to the end of this view. */
    Buf at(long elems) {
        if (elems < 0 || elems > length) {
            throw new IndexOutOfBoundsException("view at " + elems + " of a " + length + "-element buffer");
        }
        return new Buf(base, elem, offset + elems, length - elems);
    }

    long bytes() {
        return length * elem.bytes;
    }
}
