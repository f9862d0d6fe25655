/* cpu: computation the CPU must get exactly right: integer and floating
 * point arithmetic, printf formatting, libm, string functions, setjmp. */
#include "guest.h"
#include <math.h>
#include <setjmp.h>

static jmp_buf jb;
static void jump(int v) { longjmp(jb, v); }

static unsigned long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void)
{
	say("fib(30)=%lu\n", fib(30));
	long a = 1234567890123L, b = -987654321;
	say("mul %ld div %ld mod %ld shr %ld\n", a * b, a / b, a % b, a >> 7);
	unsigned long u = 0xdeadbeefcafebabeUL;
	say("rot %lx pop %d clz %d ctz %d bswap %lx\n", (u << 13) | (u >> 51), __builtin_popcountl(u),
	    __builtin_clzl(u >> 3), __builtin_ctzl(u), __builtin_bswap64(u));
	__int128 big = (__int128)a * a;
	say("128-bit high %ld low %lu\n", (long)(big >> 64), (unsigned long)big);
	double x = 2.0;
	say("sqrt %.17g exp %.17g log %.17g sin %.17g\n", sqrt(x), exp(x), log(10.0), sin(1.0));
	say("pow %.17g atan2 %.17g floor %g ceil %g round %g\n", pow(3.0, 0.5), atan2(1.0, 3.0), floor(-2.5), ceil(-2.5),
	    round(2.5));
	say("float %.9g %.9g\n", 1.0f / 3.0f, sqrtf(2.0f));
	say("long double %.20Lg\n", 1.0L / 3.0L);
	say("printf %e %a %g %08.3f %x %o %+d\n", 12345.678, 1.5, 0.0001234, 3.14159, 255, 8, 5);
	say("nan %f inf %f -0 %g\n", NAN, INFINITY, -0.0);
	say("strtod %.17g\n", strtod("3.141592653589793238", NULL));
	char buf[256];
	for (int i = 0; i < 255; i++)
		buf[i] = 'a' + i % 26;
	buf[255] = 0;
	say("strlen %zu strchr %ld memcmp %d\n", strlen(buf), strchr(buf, 'z') - buf, memcmp(buf, buf + 26, 100));
	char dst[300];
	memmove(dst + 3, buf, 200);
	memmove(dst, dst + 3, 200);
	say("memmove ok %d\n", memcmp(dst, buf, 200) == 0);
	int v = setjmp(jb);
	if (v == 0)
		jump(7);
	say("longjmp returned %d\n", v);
	volatile double acc = 0;
	for (int i = 1; i <= 1000000; i++)
		acc += 1.0 / ((double)i * i);
	say("basel %.15f\n", acc);
	unsigned h = 2166136261u;
	for (int i = 0; i < 1000000; i++)
		h = (h ^ (i & 0xff)) * 16777619u;
	say("fnv %u\n", h);
	return 0;
}
