/* Unit tests of the indicator checkers, one table of values per type. */
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "indicator.h"

#define NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Assert that value is a valid indicator of type. */
static void
check_good(const char *type, const char *value)
{
	const char	*why = NULL;

	ck_assert_msg(indicator_check(type, value, &why) == 0,
	    "%s \"%s\" refused: %s", type, value, why != NULL ? why : "?");
}

/* Assert that value is refused for type, with a phrase saying why. */
static void
check_bad(const char *type, const char *value)
{
	const char	*why = NULL;

	ck_assert_msg(indicator_check(type, value, &why) == -1,
	    "%s \"%s\" accepted", type, value);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strlen(why) > 0 && strlen(why) < 80,
	    "bad phrase for %s \"%s\"", type, value);
}

/* Assert the exact phrase for a refused value. */
static void
check_why(const char *type, const char *value, const char *want)
{
	const char	*why = NULL;

	ck_assert_int_eq(indicator_check(type, value, &why), -1);
	ck_assert_str_eq(why, want);
}

/* A good and a bad table of values per type, and a loop test over each. */
#define INDICATOR_TESTS(type)						\
	START_TEST(test_##type##_good)					\
	{								\
		check_good(#type, type##_good[_i]);			\
	}								\
	END_TEST							\
	START_TEST(test_##type##_bad)					\
	{								\
		check_bad(#type, type##_bad[_i]);			\
	}								\
	END_TEST

static const char *ipv4_good[] = {
	"203.0.113.7", "0.0.0.0", "255.255.255.255", "1.2.3.4", "10.0.0.1",
	"192.168.100.200"
};
static const char *ipv4_bad[] = {
	"1.2.3.04", "01.2.3.4", "256.1.1.1", "1.2.3.256", "1.2.3", "1.2.3.4.5",
	"1..2.3", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4\n", "1.2.3.4/32", "::1",
	"0x7f.0.0.1", "1.2.3.-1", "+1.2.3.4", "1.2.3.4.", "", "a.b.c.d",
	"1.2.3.4:80", "999999999999.1.1.1", "2130706433"
};
INDICATOR_TESTS(ipv4)

static const char *ipv6_good[] = {
	"::1", "::", "2001:db8::1", "2001:DB8:0:0:8:800:200C:417A",
	"fe80::1", "::ffff:1.2.3.4", "::ffff:192.0.2.128",
	"2001:db8:85a3:0000:0000:8a2e:0370:7334", "ff02::2"
};
static const char *ipv6_bad[] = {
	"fe80::1%eth0", "fe80::1%1", "2001:db8::1::1", ":::", "2001:db8:::1",
	"12345::1", "2001:db8:0:0:0:0:0:0:1", "[::1]", " ::1", "::1 ",
	"1.2.3.4", "::ffff:1.2.3.256", "g::1", "", "2001:db8::/32",
	"::ffff:1.2.3"
};
INDICATOR_TESTS(ipv6)

static const char *cidr_good[] = {
	"10.0.0.0/8", "0.0.0.0/0", "192.0.2.0/24", "203.0.113.7/32",
	"192.0.2.5/24", "2001:db8::/32", "::/0", "::1/128", "fe80::/10",
	"::ffff:10.0.0.0/104"
};
static const char *cidr_bad[] = {
	"10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/008", "10.0.0.0/",
	"10.0.0.0", "/8", "10.0.0/8", "1.2.3.04/8", "10.0.0.0/-1",
	"10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0.0/ 8", "10.0.0.0 /8",
	"2001:db8::/129", "2001:db8::/0128", "fe80::1%eth0/64",
	"10.0.0.0/1000", "10.0.0.0/4294967304", "example.com/24", ""
};
INDICATOR_TESTS(cidr)

static const char *domain_good[] = {
	"example.com", "example.com.", "a.b", "sub.example.co.id",
	"xn--bcher-kva.example", "EXAMPLE.COM", "1.2.3.com", "123.example",
	"a-b.c-d.com", "0.example.io",
	"a23456789012345678901234567890123456789012345678901234567890123.com"
};
static const char *domain_bad[] = {
	"-a.com", "a-.com", "a.-com", "a.com-", "a..com", ".a.com", "a.com..",
	"com", "localhost", "1.2.3.4", "1.2.3.04", "example.123", "",
	".", "a b.com", "a_b.com", "exa*mple.com", "example.com/",
	"http://example.com", "xn--caf\xc3\xa9.com", "caf\xc3\xa9.com",
	"a234567890123456789012345678901234567890123456789012345678901234.com"
};
INDICATOR_TESTS(domain)

static const char *url_good[] = {
	"http://example.com", "https://example.com/", "HTTPS://EXAMPLE.COM/",
	"http://example.com:8080/path?q=1#frag", "ftp://files.example.org/a.zip",
	"ftps://example.org", "sftp://example.org:22/x", "ws://example.org/s",
	"wss://example.org/s", "http://203.0.113.7/login.php",
	"http://[2001:db8::1]/", "http://[::1]:8443/x",
	"http://user:pass@example.com/", "http://paypal.com@evil.example/",
	"https://example.com?x", "https://example.com#x",
	"https://example.com./", "http://example.com:65535",
	"http://example.com/caf\xc3\xa9", "http://example.com/%20x"
};
static const char *url_bad[] = {
	"http//x", "javascript:alert(1)", "javascript://example.com/%0aalert(1)",
	"data:text/html,x", "file:///etc/passwd", "gopher://example.com",
	"http://", "http:///path", "http://:80/", "http://user@/",
	"http://example.com:0/", "http://example.com:65536/",
	"http://example.com:/", "http://example.com:080/",
	"http://example.com:8a/", "http://example.com:80:80/",
	"http://ex ample.com/", "http://example.com/a b", "http://example.com/\t",
	"http://example.com/\x7f", "http://example.com/\xc2\x85",
	"http://example.com/\xc2\xa0", "http://example.com/\xe2\x80\xae",
	"http://example.com/\xe2\x80\xa8", "http://exa\xe2\x80\x8bmple.com/",
	"http://example.com/\xef\xbb\xbf",
	"http://localhost/", "http://1.2.3.04/", "http://256.1.1.1/",
	"http://[fe80::1%25eth0]/", "http://[1.2.3.4]/", "http://[::1/",
	"http://[::1]x/", "http://-a.com/", "http://a..com/", " http://a.com",
	"http://a.com\n", "https:example.com", "", "://example.com"
};
INDICATOR_TESTS(url)

static const char *email_good[] = {
	"user@example.com", "first.last@example.co.id", "a@b.c",
	"x+tag@example.org", "o'brien@example.com", "!#$%&'*+-/=?^_`{|}~@a.io",
	"USER@EXAMPLE.COM",
	"a234567890123456789012345678901234567890123456789012345678901234@a.io"
};
static const char *email_bad[] = {
	"user", "@example.com", "user@", "user@@example.com",
	"a@b@example.com", ".user@example.com", "user.@example.com",
	"us..er@example.com", "us er@example.com", "\"quoted\"@example.com",
	"user@localhost", "user@1.2.3.4", "user@[1.2.3.4]", "user@example.com.",
	"user@-example.com", "user(comment)@example.com", "user@exa mple.com",
	"caf\xc3\xa9@example.com", "",
	"a2345678901234567890123456789012345678901234567890123456789012345@a.io"
};
INDICATOR_TESTS(email)

static const char *md5_good[] = {
	"d41d8cd98f00b204e9800998ecf8427e", "D41D8CD98F00B204E9800998ECF8427E",
	"00000000000000000000000000000000"
};
static const char *md5_bad[] = {
	"d41d8cd98f00b204e9800998ecf8427", "d41d8cd98f00b204e9800998ecf8427e0",
	"g41d8cd98f00b204e9800998ecf8427e", " d41d8cd98f00b204e9800998ecf8427",
	"0xd41d8cd98f00b204e9800998ecf842", "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"
};
INDICATOR_TESTS(md5)

static const char *sha1_good[] = {
	"da39a3ee5e6b4b0d3255bfef95601890afd80709",
	"DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"
};
static const char *sha1_bad[] = {
	"da39a3ee5e6b4b0d3255bfef95601890afd8070",
	"da39a3ee5e6b4b0d3255bfef95601890afd807090",
	"da39a3ee5e6b4b0d3255bfef95601890afd8070z",
	"d41d8cd98f00b204e9800998ecf8427e", ""
};
INDICATOR_TESTS(sha1)

static const char *sha256_good[] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"
};
static const char *sha256_bad[] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550",
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g",
	"e3b0c442...b855", "da39a3ee5e6b4b0d3255bfef95601890afd80709", ""
};
INDICATOR_TESTS(sha256)

static const char *cve_good[] = {
	"CVE-2014-0160", "CVE-2021-44228", "CVE-1999-0001", "CVE-2100-1234",
	"CVE-2024-1234567890123456789", "CVE-2024-00001"
};
static const char *cve_bad[] = {
	"CVE-2024-123", "cve-2021-44228", "Cve-2021-44228", "CVE-1998-0001",
	"CVE-2101-0001", "CVE-0999-0001", "CVE-24-1234", "CVE-02024-1234",
	"CVE-2024-12345678901234567890", "CVE-2024-12a4", "CVE-2024--1234",
	"CVE-2024-", "CVE-2024", "CVE 2021-44228", "CVE-2021-44228 ",
	"CVE-2021_44228", "2021-44228", ""
};
INDICATOR_TESTS(cve)

static const char *asn_good[] = {
	"AS64500", "as64500", "64500", "0", "AS0", "4294967295", "AS4294967295",
	"AS1"
};
static const char *asn_bad[] = {
	"AS4294967296", "4294967296", "AS", "", "AS064500", "064500", "-1",
	"+64500", "AS-1", "AS 64500", "ASN64500", "AS64500 ", "AS1.10",
	"AS99999999999", "64500a"
};
INDICATOR_TESTS(asn)

START_TEST(test_types_known)
{
	static const char	*types[] = {
		"ipv4", "ipv6", "cidr", "domain", "url", "email", "md5",
		"sha1", "sha256", "cve", "asn"
	};
	size_t			 i;

	for (i = 0; i < NITEMS(types); i++) {
		ck_assert_int_eq(indicator_type_known(types[i]), 1);
		ck_assert_ptr_nonnull(strstr(indicator_type_list, types[i]));
	}
	ck_assert_str_eq(indicator_type_list,
	    "ipv4 ipv6 cidr domain url email md5 sha1 sha256 cve asn");
	ck_assert_int_eq(indicator_type_known("IPV4"), 0);
	ck_assert_int_eq(indicator_type_known("ip"), 0);
	ck_assert_int_eq(indicator_type_known("sha512"), 0);
	ck_assert_int_eq(indicator_type_known(""), 0);
	ck_assert_int_eq(indicator_type_known(NULL), 0);
}
END_TEST

START_TEST(test_types_unknown)
{
	const char	*why = NULL;

	ck_assert_int_eq(indicator_check("sha512", "00", &why), -1);
	ck_assert_str_eq(why, "unknown indicator type");
	ck_assert_int_eq(indicator_check(NULL, "1.2.3.4", &why), -1);
	ck_assert_int_eq(indicator_check("ipv4", NULL, &why), -1);
	/* why may be left out. */
	ck_assert_int_eq(indicator_check("ipv4", "1.2.3.4", NULL), 0);
	ck_assert_int_eq(indicator_check("ipv4", "x", NULL), -1);
}
END_TEST

START_TEST(test_why_phrases)
{
	check_why("ipv4", "1.2.3.04", "not an IPv4 address");
	check_why("ipv6", "fe80::1%eth0", "not an IPv6 address");
	check_why("cidr", "10.0.0.0/33", "CIDR prefix out of range 0-32");
	check_why("cidr", "10.0.0.0/08", "CIDR prefix out of range 0-32");
	check_why("cidr", "::/129", "CIDR prefix out of range 0-128");
	check_why("cidr", "10.0.0.0", "CIDR needs ADDRESS/PREFIX");
	check_why("cidr", "10.0.0/8", "CIDR address is not an IPv4 address");
	check_why("domain", "-a.com", "domain label starts or ends with a hyphen");
	check_why("domain", "a..com", "empty label in domain name");
	check_why("domain", "localhost", "domain name needs at least two labels");
	check_why("domain", "1.2.3.4", "top-level domain is all digits");
	check_why("url", "http//x", "URL needs SCHEME://HOST");
	check_why("url", "javascript:alert(1)", "URL needs SCHEME://HOST");
	check_why("url", "gopher://example.com",
	    "URL scheme is not one of http https ftp ftps sftp ws wss");
	check_why("url", "http://example.com:0/", "URL port is not a number 1-65535");
	check_why("email", "a..b@example.com", "email local part has a misplaced dot");
	check_why("md5", "abc", "MD5 hash must be 32 hex digits");
	check_why("cve", "CVE-2024-123", "CVE sequence must be 4-19 digits");
	check_why("cve", "cve-2024-1234", "CVE ID must start with CVE-");
	check_why("asn", "AS4294967296", "AS number must be 0-4294967295");
}
END_TEST

/* Names of 253 characters pass; one more fails; the root dot is extra. */
START_TEST(test_domain_length)
{
	char	name[300];
	size_t	i;

	/* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 */
	memset(name, 'a', sizeof(name));
	name[63] = name[127] = name[191] = '.';
	name[253] = '\0';
	check_good("domain", name);
	name[253] = '.';
	name[254] = '\0';
	check_good("domain", name);
	name[253] = 'a';
	check_why("domain", name, "domain name longer than 253 characters");
	/* Only one trailing dot is the root. */
	name[252] = '.';
	name[253] = '.';
	check_bad("domain", name);

	/* Many short labels, still within 253. */
	for (i = 0; i < 252; i += 2) {
		name[i] = 'b';
		name[i + 1] = '.';
	}
	strcpy(name + 252, "c");
	check_good("domain", name);
}
END_TEST

/* URLs up to 2048 bytes pass; longer ones fail. */
START_TEST(test_url_length)
{
	char	url[2100];

	strcpy(url, "https://example.com/");
	memset(url + 20, 'p', 2048 - 20);
	url[2048] = '\0';
	check_good("url", url);
	url[2048] = 'p';
	url[2049] = '\0';
	check_why("url", url, "URL longer than 2048 bytes");
}
END_TEST

/* An email of 254 characters passes, 255 fails. */
START_TEST(test_email_length)
{
	char	addr[300];

	/* 64 + 1 + 63 + 1 + 63 + 1 + 61 = 254 */
	memset(addr, 'a', sizeof(addr));
	addr[64] = '@';
	addr[128] = addr[192] = '.';
	addr[254] = '\0';
	check_good("email", addr);
	addr[254] = 'a';
	addr[255] = '\0';
	check_bad("email", addr);
}
END_TEST

/* Add the good and bad loop tests of a type as two test cases. */
#define ADD_TYPE(s, type) do {						\
	TCase	*tc_;							\
									\
	tc_ = tcase_create(#type "_valid");				\
	tcase_add_loop_test(tc_, test_##type##_good, 0,			\
	    (int)NITEMS(type##_good));					\
	suite_add_tcase((s), tc_);					\
	tc_ = tcase_create(#type "_invalid");				\
	tcase_add_loop_test(tc_, test_##type##_bad, 0,			\
	    (int)NITEMS(type##_bad));					\
	suite_add_tcase((s), tc_);					\
} while (0)

static Suite *
indicator_suite(void)
{
	Suite	*s = suite_create("indicator");
	TCase	*tc;

	ADD_TYPE(s, ipv4);
	ADD_TYPE(s, ipv6);
	ADD_TYPE(s, cidr);
	ADD_TYPE(s, domain);
	ADD_TYPE(s, url);
	ADD_TYPE(s, email);
	ADD_TYPE(s, md5);
	ADD_TYPE(s, sha1);
	ADD_TYPE(s, sha256);
	ADD_TYPE(s, cve);
	ADD_TYPE(s, asn);

	tc = tcase_create("types_known");
	tcase_add_test(tc, test_types_known);
	suite_add_tcase(s, tc);
	tc = tcase_create("types_unknown");
	tcase_add_test(tc, test_types_unknown);
	suite_add_tcase(s, tc);
	tc = tcase_create("why_phrases");
	tcase_add_test(tc, test_why_phrases);
	suite_add_tcase(s, tc);
	tc = tcase_create("domain_length");
	tcase_add_test(tc, test_domain_length);
	suite_add_tcase(s, tc);
	tc = tcase_create("url_length");
	tcase_add_test(tc, test_url_length);
	suite_add_tcase(s, tc);
	tc = tcase_create("email_length");
	tcase_add_test(tc, test_email_length);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(indicator_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
