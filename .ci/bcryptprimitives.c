/* A stand-in for Windows' bcryptprimitives.dll, which Debian's wine 8.0 lacks
 * (it came with Wine 8.13). Rust's std since 1.78 takes its random numbers
 * from ProcessPrng in that DLL, so without it no Rust program starts under
 * this wine ("bcryptprimitives.dll not found"). This one answers ProcessPrng
 * from RtlGenRandom (advapi32's SystemFunction036), the source std used
 * before. For the CI's wine only: .ci/wine builds it, nothing ships it.
 *
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll \
 *       bcryptprimitives.c -ladvapi32
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
