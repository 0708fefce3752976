/* Tests of the configuration parser: grammar, defaults and every error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "conf.h"

/* The three required keys, on lines 1 to 3. */
#define TLS	"tls_certificate hub.crt\n" "tls_key hub.key\n" \
		"tls_client_ca ca.crt\n"

#define FP_A	"ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:" \
		"ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89"
#define FP_A_HEX "abcdef0123456789abcdef0123456789" \
		"abcdef0123456789abcdef0123456789"
#define FP_B	"00000000000000000000000000000000" \
		"00000000000000000000000000000001"

/* Parse text named file, failing the test on any error. */
static struct conf *
parse_as(const char *text, const char *file)
{
	struct conf	*conf;
	char		*cause = NULL;

	conf = conf_parse(text, strlen(text), file, &cause);
	ck_assert_msg(conf != NULL, "unexpected error: %s",
	    cause != NULL ? cause : "(null)");
	ck_assert_ptr_null(cause);
	return (conf);
}

/* Parse text named x.conf, failing the test on any error. */
static struct conf *
parse(const char *text)
{
	return (parse_as(text, "x.conf"));
}

/* Parse text named x.conf and return the error, or NULL if it parsed. */
static char *
parse_error(const char *text, size_t len)
{
	struct conf	*conf;
	char		*cause = NULL;

	conf = conf_parse(text, len, "x.conf", &cause);
	if (conf != NULL) {
		conf_free(conf);
		return (NULL);
	}
	ck_assert_msg(cause != NULL, "error without a message");
	return (cause);
}

/* The error of text must start with prefix and contain part. */
#define EXPECT_ERROR_LEN(text, len, prefix, part) do {			\
	char	*cause_ = parse_error((text), (len));			\
									\
	ck_assert_msg(cause_ != NULL, "no error, expected \"%s...%s\"",	\
	    (prefix), (part));						\
	ck_assert_msg(strncmp(cause_, (prefix), strlen(prefix)) == 0 &&	\
	    strstr(cause_, (part)) != NULL,				\
	    "got \"%s\", expected \"%s...%s\"", cause_, (prefix), (part)); \
	free(cause_);							\
} while (0)
#define EXPECT_ERROR(text, prefix, part)				\
	EXPECT_ERROR_LEN(text, strlen(text), prefix, part)

/* The error of text must be exactly message. */
#define EXPECT_EXACT(text, message) do {				\
	char	*cause_ = parse_error((text), strlen(text));		\
									\
	ck_assert_msg(cause_ != NULL, "no error, expected \"%s\"",	\
	    (message));							\
	ck_assert_str_eq(cause_, (message));				\
	free(cause_);							\
} while (0)

START_TEST(test_valid_full)
{
	static const char text[] =
	    "# Kentongan hub\n"
	    "\n"
	    "   \t  \n"
	    "listen 192.0.2.1:7400   # member listener\n"
	    "listen [2001:db8::1]:07400\n"
	    "operator_listen off\n"
	    "tls_certificate certs/hub.crt\n"
	    "tls_key /etc/ssl/private/hub.key\n"
	    "tls_client_ca \"ca dir/clients.crt\"\n"
	    "tls_crl crl.pem\n"
	    "database db/kentongan.db\n"
	    "taxonomy \"/usr/share/kentongan/taxonomy.json\"\n"
	    "max_message_bytes 4096\n"
	    "handshake_timeout 3600\n"
	    "idle_timeout\t86400\n"
	    "report_rate 1000000 10000000\n"
	    "member ID name=\"Indonesia CSIRT\" cert_sha256=" FP_A
	    " cert_sha256=" FP_B "\n"
	    "member SG role=partner name=\"Say \\\"hi\\\" \\\\ # there\" "
	    "cert_cn=sg.example\n"
	    "member OPS role=operator cert_cn=\"ops # hub\"  # operators\n"
	    "member MY cert_cn=my.example\n"
	    "agreement SG ID max_tlp=red\n"
	    "agreement MY ID max_tlp=amber+strict\n"
	    "agreement SG MY max_tlp=amber";
	struct conf			*conf;
	const struct conf_member	*m;

	conf = parse_as(text, "conf.d/x.conf");
	ck_assert_str_eq(conf->file, "conf.d/x.conf");

	ck_assert_uint_eq(conf->nlisten, 2);
	ck_assert_str_eq(conf->listen[0].host, "192.0.2.1");
	ck_assert_str_eq(conf->listen[0].port, "7400");
	ck_assert_int_eq(conf->listen[0].line, 4);
	ck_assert_str_eq(conf->listen[1].host, "2001:db8::1");
	ck_assert_str_eq(conf->listen[1].port, "7400");
	ck_assert_int_eq(conf->listen[1].line, 5);
	ck_assert_int_eq(conf->operator_off, 1);
	ck_assert_ptr_null(conf->operator_listen.host);
	ck_assert_int_eq(conf->operator_listen.line, 6);

	ck_assert_str_eq(conf->tls_certificate.path, "conf.d/certs/hub.crt");
	ck_assert_int_eq(conf->tls_certificate.line, 7);
	ck_assert_str_eq(conf->tls_key.path, "/etc/ssl/private/hub.key");
	ck_assert_str_eq(conf->tls_client_ca.path, "conf.d/ca dir/clients.crt");
	ck_assert_str_eq(conf->tls_crl.path, "conf.d/crl.pem");
	ck_assert_int_eq(conf->tls_crl.line, 10);
	ck_assert_str_eq(conf->database.path, "conf.d/db/kentongan.db");
	ck_assert_str_eq(conf->taxonomy.path,
	    "/usr/share/kentongan/taxonomy.json");
	ck_assert_int_eq(conf->taxonomy.line, 12);
	ck_assert_uint_eq(conf->max_message_bytes, 4096);
	ck_assert_uint_eq(conf->handshake_timeout, 3600);
	ck_assert_uint_eq(conf->idle_timeout, 86400);
	ck_assert_uint_eq(conf->report_rate, 1000000);
	ck_assert_uint_eq(conf->report_burst, 10000000);

	ck_assert_uint_eq(conf->nmembers, 4);
	m = &conf->members[0];
	ck_assert_str_eq(m->id, "ID");
	ck_assert_str_eq(m->name, "Indonesia CSIRT");
	ck_assert_int_eq(m->role, ROLE_MEMBER);
	ck_assert_uint_eq(m->nsha256, 2);
	ck_assert_uint_eq(m->sha256[0][0], 0xab);
	ck_assert_uint_eq(m->sha256[0][31], 0x89);
	ck_assert_uint_eq(m->sha256[1][31], 0x01);
	ck_assert_ptr_null(m->cn);
	ck_assert_int_eq(m->line, 17);
	m = &conf->members[1];
	ck_assert_str_eq(m->id, "SG");
	ck_assert_str_eq(m->name, "Say \"hi\" \\ # there");
	ck_assert_int_eq(m->role, ROLE_PARTNER);
	ck_assert_uint_eq(m->nsha256, 0);
	ck_assert_str_eq(m->cn, "sg.example");
	m = &conf->members[2];
	ck_assert_str_eq(m->id, "OPS");
	ck_assert_str_eq(m->name, "OPS");
	ck_assert_int_eq(m->role, ROLE_OPERATOR);
	ck_assert_str_eq(m->cn, "ops # hub");
	ck_assert_str_eq(conf->members[3].name, "MY");

	ck_assert_uint_eq(conf->nagreements, 3);
	ck_assert_str_eq(conf->agreements[0].a, "SG");
	ck_assert_str_eq(conf->agreements[0].b, "ID");
	ck_assert_int_eq(conf->agreements[0].max_tlp, TLP_RED);
	ck_assert_int_eq(conf->agreements[0].line, 21);
	ck_assert_int_eq(conf->agreements[1].max_tlp, TLP_AMBER_STRICT);
	ck_assert_int_eq(conf->agreements[2].max_tlp, TLP_AMBER);
	ck_assert_int_eq(conf->agreements[2].line, 23);
	conf_free(conf);
}
END_TEST

START_TEST(test_defaults)
{
	struct conf	*conf;
	const char	*s;

	conf = parse(TLS);
	ck_assert_uint_eq(conf->nlisten, 1);
	ck_assert_str_eq(conf->listen[0].host, "0.0.0.0");
	ck_assert_str_eq(conf->listen[0].port, "7400");
	ck_assert_int_eq(conf->listen[0].line, 0);
	ck_assert_int_eq(conf->operator_off, 0);
	ck_assert_str_eq(conf->operator_listen.host, "127.0.0.1");
	ck_assert_str_eq(conf->operator_listen.port, "7401");
	ck_assert_int_eq(conf->operator_listen.line, 0);
	ck_assert_str_eq(conf->tls_certificate.path, "hub.crt");
	ck_assert_int_eq(conf->tls_certificate.line, 1);
	ck_assert_str_eq(conf->tls_key.path, "hub.key");
	ck_assert_str_eq(conf->tls_client_ca.path, "ca.crt");
	ck_assert_ptr_null(conf->tls_crl.path);
	ck_assert_int_eq(conf->tls_crl.line, 0);
	s = conf->database.path;
	ck_assert_ptr_nonnull(s);
	ck_assert_msg(strstr(s, "kentongan.db") != NULL, "database %s", s);
	ck_assert_int_eq(conf->database.line, 0);
	ck_assert_ptr_nonnull(strstr(conf->taxonomy.path, "taxonomy.json"));
	ck_assert_int_eq(conf->taxonomy.line, 0);
	ck_assert_uint_eq(conf->max_message_bytes, 65536);
	ck_assert_uint_eq(conf->handshake_timeout, 10);
	ck_assert_uint_eq(conf->idle_timeout, 300);
	ck_assert_uint_eq(conf->report_rate, 100);
	ck_assert_uint_eq(conf->report_burst, 1000);
	ck_assert_uint_eq(conf->nmembers, 0);
	ck_assert_ptr_null(conf->members);
	ck_assert_uint_eq(conf->nagreements, 0);
	conf_free(conf);
}
END_TEST

START_TEST(test_defaults_not_relative)
{
	struct conf	*conf;

	/* Built-in defaults are not taken relative to the file. */
	conf = parse_as(TLS, "some/dir/x.conf");
	ck_assert_str_eq(conf->tls_key.path, "some/dir/hub.key");
	ck_assert_ptr_null(strstr(conf->database.path, "some/dir"));
	ck_assert_ptr_null(strstr(conf->taxonomy.path, "some/dir"));
	conf_free(conf);
}
END_TEST

START_TEST(test_quoting)
{
	struct conf	*conf;

	conf = parse(TLS
	    "member A\"B\" cert_cn=\"a b\"c\\d\n"		/* 4 */
	    "member \"C\" \"name=x \\\\y\" cert_cn=\"\\q\"\r\n"	/* 5 */
	    "member D\tcert_cn=\"#\"#x\n");			/* 6 */
	ck_assert_str_eq(conf->members[0].id, "AB");
	ck_assert_str_eq(conf->members[0].cn, "a bc\\d");
	ck_assert_str_eq(conf->members[1].id, "C");
	ck_assert_str_eq(conf->members[1].name, "x \\y");
	ck_assert_str_eq(conf->members[1].cn, "\\q");
	ck_assert_str_eq(conf->members[2].cn, "#");
	conf_free(conf);

	EXPECT_EXACT(TLS "member SG name=\"Singapore cert_cn=x\n",
	    "x.conf:4: unterminated quote");
	EXPECT_EXACT(TLS "# a comment \"\ndatabase \"a\\\"\n",
	    "x.conf:5: unterminated quote");
	EXPECT_ERROR(TLS "tls_crl \"\"\n", "x.conf:4: ",
	    "tls_crl: expected a file name");
	EXPECT_ERROR_LEN(TLS "database a\0b\n",
	    sizeof (TLS "database a\0b\n") - 1,
	    "x.conf:4: ", "NUL character");
}
END_TEST

START_TEST(test_long_line)
{
	struct conf	*conf;
	char		*text, *p;
	size_t		 n = 1 << 20;

	text = malloc(n + 256);
	ck_assert_ptr_nonnull(text);
	p = text + sprintf(text, "%smember ID cert_cn=x name=\"", TLS);
	memset(p, 'n', n);
	strcpy(p + n, "\"\n");
	conf = parse(text);
	ck_assert_uint_eq(strlen(conf->members[0].name), n);
	conf_free(conf);
	free(text);
}
END_TEST

/* A bad value is quoted escaped, and at most about 200 bytes of it. */
START_TEST(test_error_quotes_little)
{
	char	*text, *p, *cause, want[512];
	size_t	 n = 1 << 20;

	text = malloc(n + 256);
	ck_assert_ptr_nonnull(text);
	p = text + sprintf(text, "%s", TLS);
	memset(p, 'k', n);
	strcpy(p + n, " 1\n");
	cause = parse_error(text, strlen(text));
	ck_assert_ptr_nonnull(cause);
	p = want + sprintf(want, "x.conf:4: unknown key \"");
	memset(p, 'k', 200);
	strcpy(p + 200, "...\"");
	ck_assert_str_eq(cause, want);
	free(cause);

	p = text + sprintf(text, "%smember XX cert_cn=x role=\"", TLS);
	memset(p, '\x1b', n);
	strcpy(p + n, "\"\n");
	cause = parse_error(text, strlen(text));
	ck_assert_ptr_nonnull(cause);
	ck_assert_uint_lt(strlen(cause), 400);
	ck_assert_ptr_null(strchr(cause, '\x1b'));
	ck_assert_ptr_nonnull(strstr(cause, "got \"\\x1b\\x1b"));
	free(cause);
	free(text);

	/* Controls and U+202E in a short value are shown, not obeyed. */
	EXPECT_EXACT(TLS "log_level \"de\x1b[2Jbug\xe2\x80\xae\"\n",
	    "x.conf:4: log_level: expected info or debug, not "
	    "\"de\\x1b[2Jbug\\u202e\"");
	EXPECT_EXACT(TLS "agreement ID SG max_tlp=gr\xff" "een\n",
	    "x.conf:4: agreement ID SG: max_tlp: expected amber, "
	    "amber+strict or red, got \"gr\\xffeen\"");
}
END_TEST

START_TEST(test_paths)
{
	struct conf	*conf;

	conf = parse_as(TLS "tls_crl /abs/crl.pem\n", "/etc/kentongan/k.conf");
	ck_assert_str_eq(conf->tls_certificate.path, "/etc/kentongan/hub.crt");
	ck_assert_str_eq(conf->tls_crl.path, "/abs/crl.pem");
	conf_free(conf);

	conf = parse_as(TLS "database ../db/k.db\n", "/k.conf");
	ck_assert_str_eq(conf->tls_key.path, "/hub.key");
	ck_assert_str_eq(conf->database.path, "/../db/k.db");
	conf_free(conf);

	conf = parse_as(TLS "taxonomy t.json\n", "x.conf");
	ck_assert_str_eq(conf->tls_client_ca.path, "ca.crt");
	ck_assert_str_eq(conf->taxonomy.path, "t.json");
	conf_free(conf);
}
END_TEST

START_TEST(test_listen)
{
	struct conf	*conf;

	conf = parse(TLS "listen [::]:1\nlisten 0.0.0.0:65535\n"
	    "operator_listen [::1]:7401\n");
	ck_assert_uint_eq(conf->nlisten, 2);
	ck_assert_str_eq(conf->listen[0].host, "::");
	ck_assert_str_eq(conf->listen[0].port, "1");
	ck_assert_str_eq(conf->listen[1].port, "65535");
	ck_assert_str_eq(conf->operator_listen.host, "::1");
	ck_assert_str_eq(conf->operator_listen.port, "7401");
	ck_assert_int_eq(conf->operator_listen.line, 6);
	conf_free(conf);

	EXPECT_EXACT(TLS "listen localhost:7400\n",
	    "x.conf:4: listen: expected ADDR:PORT or [IPv6]:PORT with a "
	    "numeric address, got \"localhost:7400\"");
	EXPECT_ERROR(TLS "listen 192.0.2.1\n", "x.conf:4: ",
	    "expected ADDR:PORT");
	EXPECT_ERROR(TLS "listen ::1:7400\n", "x.conf:4: ",
	    "expected ADDR:PORT");
	EXPECT_ERROR(TLS "listen [192.0.2.1]:7400\n", "x.conf:4: ",
	    "expected ADDR:PORT");
	EXPECT_ERROR(TLS "listen [::1]7400\n", "x.conf:4: ",
	    "expected ADDR:PORT");
	EXPECT_ERROR(TLS "listen [::1:7400\n", "x.conf:4: ",
	    "expected ADDR:PORT");
	EXPECT_ERROR(TLS "listen *:7400\n", "x.conf:4: ",
	    "expected ADDR:PORT");
	EXPECT_ERROR(TLS "listen 192.0.2.1:0\n", "x.conf:4: ",
	    "listen: expected a port from 1 to 65535");
	EXPECT_ERROR(TLS "listen 192.0.2.1:65536\n", "x.conf:4: ",
	    "expected a port from 1 to 65535");
	EXPECT_ERROR(TLS "listen 192.0.2.1:+80\n", "x.conf:4: ",
	    "expected a port from 1 to 65535");
	EXPECT_ERROR(TLS "listen 192.0.2.1:\n", "x.conf:4: ",
	    "expected a port from 1 to 65535");
	EXPECT_ERROR(TLS "listen [::1]:99999999999999999999999\n", "x.conf:4: ",
	    "expected a port from 1 to 65535");
	EXPECT_EXACT(TLS "listen 0.0.0.0:7400\nlisten 0.0.0.0:7400\n",
	    "x.conf:5: listen: duplicate address \"0.0.0.0:7400\" "
	    "(first at line 4)");
	EXPECT_ERROR(TLS "listen [::1]:80\nlisten [0:0::1]:080\n", "x.conf:5: ",
	    "duplicate address \"[0:0::1]:080\" (first at line 4)");
	EXPECT_ERROR(TLS "operator_listen on\n", "x.conf:4: ",
	    "operator_listen: expected ADDR:PORT");
	EXPECT_EXACT(TLS "listen 127.0.0.1:7401\n",
	    "x.conf:4: listen: 127.0.0.1:7401 is also the operator_listen "
	    "address (line 0)");
	EXPECT_EXACT(TLS "operator_listen 0.0.0.0:7400\n",
	    "x.conf:4: operator_listen: 0.0.0.0:7400 is also a listen "
	    "address (line 0)");
}
END_TEST

START_TEST(test_numbers)
{
	struct conf	*conf;

	conf = parse(TLS "max_message_bytes 67108864\nhandshake_timeout 1\n"
	    "idle_timeout 0001\n");
	ck_assert_uint_eq(conf->max_message_bytes, 67108864);
	ck_assert_uint_eq(conf->handshake_timeout, 1);
	ck_assert_uint_eq(conf->idle_timeout, 1);
	conf_free(conf);

	EXPECT_EXACT(TLS "max_message_bytes 12\n",
	    "x.conf:4: max_message_bytes: expected a number from 4096 to "
	    "67108864, got \"12\"");
	EXPECT_ERROR(TLS "max_message_bytes 67108865\n", "x.conf:4: ",
	    "expected a number from 4096 to 67108864, got \"67108865\"");
	EXPECT_ERROR(TLS "max_message_bytes +4096\n", "x.conf:4: ",
	    "got \"+4096\"");
	EXPECT_ERROR(TLS "max_message_bytes -4096\n", "x.conf:4: ",
	    "got \"-4096\"");
	EXPECT_ERROR(TLS "max_message_bytes 4096k\n", "x.conf:4: ",
	    "got \"4096k\"");
	EXPECT_ERROR(TLS "max_message_bytes 0x1000\n", "x.conf:4: ",
	    "got \"0x1000\"");
	EXPECT_ERROR(TLS "max_message_bytes \"\"\n", "x.conf:4: ",
	    "got \"\"");
	EXPECT_ERROR(TLS "max_message_bytes 18446744073709555712\n",
	    "x.conf:4: ", "got \"18446744073709555712\"");
	EXPECT_EXACT(TLS "handshake_timeout 0\n",
	    "x.conf:4: handshake_timeout: expected a number from 1 to 3600, "
	    "got \"0\"");
	EXPECT_ERROR(TLS "handshake_timeout 3601\n", "x.conf:4: ",
	    "handshake_timeout: expected a number from 1 to 3600");
	EXPECT_EXACT(TLS "idle_timeout 86401\n",
	    "x.conf:4: idle_timeout: expected a number from 1 to 86400, "
	    "got \"86401\"");
	EXPECT_ERROR(TLS "idle_timeout 4294967597\n", "x.conf:4: ",
	    "idle_timeout: expected a number from 1 to 86400");
}
END_TEST

START_TEST(test_report_rate)
{
	struct conf	*conf;

	conf = parse(TLS "report_rate 0 123456789012345678901234567890\n");
	ck_assert_uint_eq(conf->report_rate, 0);
	ck_assert_uint_eq(conf->report_burst, 0);
	conf_free(conf);
	conf = parse(TLS "report_rate 1 1\n");
	ck_assert_uint_eq(conf->report_rate, 1);
	ck_assert_uint_eq(conf->report_burst, 1);
	conf_free(conf);
	/* 0 alone is unlimited, as is 0 with any burst. */
	conf = parse(TLS "report_rate 0\n");
	ck_assert_uint_eq(conf->report_rate, 0);
	ck_assert_uint_eq(conf->report_burst, 0);
	conf_free(conf);
	conf = parse(TLS "report_rate 0 0\n");
	ck_assert_uint_eq(conf->report_rate, 0);
	ck_assert_uint_eq(conf->report_burst, 0);
	conf_free(conf);
	conf = parse(TLS "report_rate 000\n");
	ck_assert_uint_eq(conf->report_rate, 0);
	conf_free(conf);

	EXPECT_EXACT(TLS "report_rate 0 many\n",
	    "x.conf:4: report_rate: expected BURST as a number, got \"many\"");
	EXPECT_EXACT(TLS "report_rate 1000001 5\n",
	    "x.conf:4: report_rate: expected RATE from 0 to 1000000, "
	    "got \"1000001\"");
	EXPECT_ERROR(TLS "report_rate -1 5\n", "x.conf:4: ",
	    "expected RATE from 0 to 1000000, got \"-1\"");
	EXPECT_EXACT(TLS "report_rate 5 0\n",
	    "x.conf:4: report_rate: expected BURST from 1 to 10000000, "
	    "got \"0\"");
	EXPECT_ERROR(TLS "report_rate 5 10000001\n", "x.conf:4: ",
	    "expected BURST from 1 to 10000000, got \"10000001\"");
	EXPECT_EXACT(TLS "report_rate 5\n",
	    "x.conf:4: report_rate: too few values (expected RATE BURST, or 0 "
	    "for unlimited)");
	EXPECT_EXACT(TLS "report_rate many\n",
	    "x.conf:4: report_rate: expected RATE from 0 to 1000000, "
	    "got \"many\"");
	EXPECT_EXACT(TLS "report_rate\n",
	    "x.conf:4: report_rate: missing value (expected RATE BURST)");
	EXPECT_EXACT(TLS "report_rate 5 5 5\n",
	    "x.conf:4: report_rate: too many values (expected RATE BURST)");
}
END_TEST

START_TEST(test_keys)
{
	EXPECT_EXACT(TLS "lisen 0.0.0.0:7400\n",
	    "x.conf:4: unknown key \"lisen\"");
	EXPECT_EXACT(TLS "Listen 0.0.0.0:7400\n",
	    "x.conf:4: unknown key \"Listen\"");
	EXPECT_EXACT(TLS "database   # no value\n",
	    "x.conf:4: database: missing value (expected FILE)");
	EXPECT_ERROR(TLS "member\n", "x.conf:4: ", "member: missing value");
	EXPECT_EXACT(TLS "idle_timeout 30 60\n",
	    "x.conf:4: idle_timeout: too many values (expected SECONDS)");
	EXPECT_EXACT(TLS "database a.db\n\ndatabase b.db\n",
	    "x.conf:6: duplicate key \"database\" (first set at line 4)");
	EXPECT_EXACT("tls_key k\n" TLS,
	    "x.conf:3: duplicate key \"tls_key\" (first set at line 1)");
	EXPECT_EXACT(TLS "operator_listen off\noperator_listen off\n",
	    "x.conf:5: duplicate key \"operator_listen\" (first set at "
	    "line 4)");
	EXPECT_EXACT("tls_certificate hub.crt\ntls_client_ca ca.crt\n",
	    "x.conf:0: missing required key \"tls_key\"");
	EXPECT_EXACT("tls_key hub.key\ntls_client_ca ca.crt\n",
	    "x.conf:0: missing required key \"tls_certificate\"");
	EXPECT_EXACT("tls_certificate hub.crt\ntls_key hub.key\n",
	    "x.conf:0: missing required key \"tls_client_ca\"");
	EXPECT_EXACT("", "x.conf:0: missing required key \"tls_certificate\"");
}
END_TEST

START_TEST(test_member)
{
	struct conf	*conf;

	conf = parse(TLS "member abcdefghijklmnopqrstuvwxyz_-0123 cert_cn=x\n"
	    "member B cert_sha256=" FP_B " cert_cn=b role=partner\n");
	ck_assert_str_eq(conf->members[0].id,
	    "abcdefghijklmnopqrstuvwxyz_-0123");
	ck_assert_int_eq(conf->members[1].role, ROLE_PARTNER);
	ck_assert_uint_eq(conf->members[1].nsha256, 1);
	ck_assert_str_eq(conf->members[1].cn, "b");
	conf_free(conf);

	EXPECT_EXACT(TLS "member S.G cert_cn=x\n",
	    "x.conf:4: member: invalid ID \"S.G\" (expected 1 to 32 of "
	    "A-Z a-z 0-9 _ -)");
	EXPECT_ERROR(TLS "member \"\" cert_cn=x\n", "x.conf:4: ",
	    "member: invalid ID \"\"");
	EXPECT_ERROR(TLS "member abcdefghijklmnopqrstuvwxyz_-01234 "
	    "cert_cn=x\n", "x.conf:4: ", "member: invalid ID");
	EXPECT_EXACT(TLS "member SG cert_cn=a\nmember MY cert_cn=b\n"
	    "member SG cert_cn=c\n",
	    "x.conf:6: member \"SG\": duplicate member ID (first declared at "
	    "line 4)");
	EXPECT_EXACT(TLS "member SG cert_cn=a rol=partner\n",
	    "x.conf:4: member \"SG\": unknown option \"rol\"");
	EXPECT_EXACT(TLS "member SG cert_cn=a partner\n",
	    "x.conf:4: member \"SG\": expected OPTION=VALUE, got \"partner\"");
	EXPECT_EXACT(TLS "member SG name=a name=b cert_cn=a\n",
	    "x.conf:4: member \"SG\": duplicate option \"name\"");
	EXPECT_ERROR(TLS "member SG name= cert_cn=a\n", "x.conf:4: ",
	    "member \"SG\": name: expected a non-empty name");
	EXPECT_EXACT(TLS "member SG role=partner role=member cert_cn=a\n",
	    "x.conf:4: member \"SG\": duplicate option \"role\"");
	EXPECT_EXACT(TLS "member SG role=admin cert_cn=a\n",
	    "x.conf:4: member \"SG\": role: expected member, partner, "
	    "operator or monitor, got \"admin\"");
	EXPECT_EXACT(TLS "member SG cert_cn=a cert_cn=b\n",
	    "x.conf:4: member \"SG\": duplicate option \"cert_cn\"");
	EXPECT_ERROR(TLS "member SG cert_cn=\"\"\n", "x.conf:4: ",
	    "member \"SG\": cert_cn: expected a non-empty name");
	EXPECT_EXACT(TLS "member SG name=Singapore role=member\n",
	    "x.conf:4: member \"SG\": expected cert_sha256 or cert_cn (at "
	    "least one)");
	EXPECT_EXACT(TLS "member SG cert_sha256=" FP_A " cert_sha256="
	    FP_A_HEX "\n",
	    "x.conf:4: member \"SG\": cert_sha256 \"" FP_A_HEX "\" given "
	    "twice");
}
END_TEST

START_TEST(test_fingerprint_syntax)
{
	static const char *bad[] = {
		/* 63 and 65 digits */
		"abcdef0123456789abcdef0123456789"
		"abcdef0123456789abcdef012345678",
		"abcdef0123456789abcdef0123456789"
		"abcdef0123456789abcdef01234567890",
		/* leading, trailing and double colons, a colon in a pair */
		":abcdef0123456789abcdef0123456789"
		"abcdef0123456789abcdef0123456789",
		"abcdef0123456789abcdef0123456789"
		"abcdef0123456789abcdef0123456789:",
		"ab::cdef0123456789abcdef0123456789"
		"abcdef0123456789abcdef0123456789",
		"a:bcdef0123456789abcdef0123456789"
		"abcdef0123456789abcdef0123456789",
		/* not hex, empty */
		"gbcdef0123456789abcdef0123456789"
		"abcdef0123456789abcdef0123456789",
		"",
	};
	struct conf	*conf;
	char		 text[512];
	size_t		 i;

	conf = parse(TLS "member SG cert_sha256=AB:cd:EF0123456789ABCDEF0123"
	    "456789abcdef0123456789abcdef0123456789\n");
	ck_assert_mem_eq(conf->members[0].sha256[0],
	    "\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89"
	    "\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89",
	    CONF_SHA256_LEN);
	conf_free(conf);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(text, sizeof text, TLS "member SG cert_sha256=%s\n",
		    bad[i]);
		EXPECT_ERROR(text, "x.conf:4: ", "member \"SG\": cert_sha256: "
		    "expected 64 hex digits (colons allowed between byte "
		    "pairs)");
	}
}
END_TEST

START_TEST(test_identity_conflict)
{
	EXPECT_EXACT(TLS "member SG cert_sha256=" FP_A_HEX "\n"
	    "member MY cert_sha256=" FP_B " cert_sha256="
	    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
	    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\n",
	    "x.conf:5: member \"MY\": certificate fingerprint already claimed "
	    "by \"SG\" (line 4)");
	EXPECT_EXACT(TLS "member SG cert_cn=csirt.example\n"
	    "member MY cert_cn=other\n"
	    "member ID cert_cn=csirt.example\n",
	    "x.conf:6: member \"ID\": cert_cn \"csirt.example\" already "
	    "claimed by \"SG\" (line 4)");
}
END_TEST

START_TEST(test_agreement)
{
	struct conf	*conf;

	/* Members may be declared after the agreement that names them. */
	conf = parse(TLS "agreement SG MY max_tlp=amber\n"
	    "member SG cert_cn=sg\nmember MY role=partner cert_cn=my\n");
	ck_assert_uint_eq(conf->nagreements, 1);
	ck_assert_int_eq(conf->agreements[0].line, 4);
	conf_free(conf);

	EXPECT_EXACT(TLS "member SG cert_cn=sg\n"
	    "agreement SG XX max_tlp=amber\nmember MY cert_cn=my\n",
	    "x.conf:5: agreement SG XX: unknown member \"XX\"");
	EXPECT_EXACT(TLS "agreement XX SG max_tlp=amber\n",
	    "x.conf:4: agreement XX SG: unknown member \"XX\"");
	EXPECT_EXACT(TLS "member SG cert_cn=sg\nagreement SG SG max_tlp=red\n",
	    "x.conf:5: agreement SG SG: a member cannot have an agreement "
	    "with itself");
	EXPECT_EXACT(TLS "member SG cert_cn=sg\n"
	    "agreement SG OPS max_tlp=red\n"
	    "member OPS role=operator cert_cn=ops\n",
	    "x.conf:5: agreement SG OPS: \"OPS\" is an operator (agreements "
	    "are between members and partners)");
	EXPECT_EXACT(TLS "member SG cert_cn=sg\nmember MY cert_cn=my\n"
	    "agreement SG MY max_tlp=amber\nagreement MY SG max_tlp=red\n",
	    "x.conf:7: agreement MY SG: duplicate agreement for this pair "
	    "(first at line 6)");
	EXPECT_ERROR(TLS "member SG cert_cn=sg\nmember MY cert_cn=my\n"
	    "agreement SG MY max_tlp=amber\nagreement SG MY max_tlp=amber\n",
	    "x.conf:7: ", "duplicate agreement for this pair");
	EXPECT_EXACT(TLS "agreement SG MY\n",
	    "x.conf:4: agreement SG MY: missing max_tlp (expected amber, "
	    "amber+strict or red)");
	EXPECT_EXACT(TLS "agreement SG MY max_tlp=green\n",
	    "x.conf:4: agreement SG MY: max_tlp: expected amber, amber+strict "
	    "or red, got \"green\"");
	EXPECT_ERROR(TLS "agreement SG MY max_tlp=AMBER\n", "x.conf:4: ",
	    "max_tlp: expected amber, amber+strict or red, got \"AMBER\"");
	EXPECT_EXACT(TLS "agreement SG MY max_tlp=red tlp=red\n",
	    "x.conf:4: agreement SG MY: unknown option \"tlp\"");
	EXPECT_EXACT(TLS "agreement SG MY red\n",
	    "x.conf:4: agreement SG MY: expected OPTION=VALUE, got \"red\"");
	EXPECT_EXACT(TLS "agreement SG MY max_tlp=red max_tlp=amber\n",
	    "x.conf:4: agreement SG MY: duplicate option \"max_tlp\"");
	EXPECT_EXACT(TLS "agreement SG M/Y max_tlp=red\n",
	    "x.conf:4: agreement: invalid member ID \"M/Y\" (expected 1 to 32 "
	    "of A-Z a-z 0-9 _ -)");
	EXPECT_EXACT(TLS "agreement SG\n",
	    "x.conf:4: agreement: too few values (expected ID ID "
	    "max_tlp=amber|amber+strict|red)");
}
END_TEST

/* Federation: hub_id, peer lines and peer_amber_to (SPEC section 12). */
#define HUB	"hub_id ASEAN\n"			/* line 4 */

START_TEST(test_hub_id)
{
	struct conf	*conf;

	conf = parse(TLS "hub_id ASEAN-hub_2\n");
	ck_assert_str_eq(conf->hub_id, "ASEAN-hub_2");
	ck_assert_int_eq(conf->hub_id_line, 4);
	conf_free(conf);
	conf = parse(TLS "hub_id abcdefghijklmnopqrstuvwxyz_-0123\n");
	ck_assert_str_eq(conf->hub_id, "abcdefghijklmnopqrstuvwxyz_-0123");
	conf_free(conf);
	/* Optional without peers. */
	conf = parse(TLS);
	ck_assert_ptr_null(conf->hub_id);
	ck_assert_int_eq(conf->hub_id_line, 0);
	ck_assert_uint_eq(conf->npeer_amber_to, 0);
	ck_assert_ptr_null(conf->peer_amber_to);
	conf_free(conf);

	EXPECT_EXACT(TLS "hub_id A.B\n",
	    "x.conf:4: hub_id: invalid ID \"A.B\" (expected 1 to 32 of "
	    "A-Z a-z 0-9 _ -)");
	EXPECT_EXACT(TLS "hub_id \"\"\n",
	    "x.conf:4: hub_id: invalid ID \"\" (expected 1 to 32 of "
	    "A-Z a-z 0-9 _ -)");
	EXPECT_EXACT(TLS "hub_id abcdefghijklmnopqrstuvwxyz_-01234\n",
	    "x.conf:4: hub_id: invalid ID \"abcdefghijklmnopqrstuvwxyz_-01234\" "
	    "(expected 1 to 32 of A-Z a-z 0-9 _ -)");
	EXPECT_EXACT(TLS "hub_id\n",
	    "x.conf:4: hub_id: missing value (expected ID)");
	EXPECT_EXACT(TLS "hub_id A B\n",
	    "x.conf:4: hub_id: too many values (expected ID)");
	EXPECT_EXACT(TLS "hub_id A\nhub_id B\n",
	    "x.conf:5: duplicate key \"hub_id\" (first set at line 4)");
}
END_TEST

START_TEST(test_peer)
{
	struct conf			*conf;
	const struct conf_member	*m;

	conf = parse(TLS HUB
	    "peer EU cert_cn=hub.eu.example\n"			/* 5 */
	    "peer AU name=\"AU hub\" cert_sha256=" FP_A " connect=192.0.2.7:7400"
	    " max_tlp=amber hops=16\n"				/* 6 */
	    "peer AF cert_cn=af connect=[2001:db8::7]:07400 max_tlp=clear\n"
	    "peer JP cert_cn=jp connect=hub-1.jp.example:443 hops=1 "
	    "max_tlp=green\n"					/* 8 */
	    "member SG cert_cn=sg\n");				/* 9 */
	ck_assert_uint_eq(conf->nmembers, 5);
	m = conf_member_by_id(conf, "EU");
	ck_assert_ptr_eq(m, &conf->members[0]);
	ck_assert_int_eq(m->role, ROLE_HUB);
	ck_assert_str_eq(m->name, "EU");
	ck_assert_str_eq(m->cn, "hub.eu.example");
	ck_assert_uint_eq(m->nsha256, 0);
	/* The defaults: green, this hub's own reports only, not dialled. */
	ck_assert_int_eq(m->max_tlp, TLP_GREEN);
	ck_assert_uint_eq(m->hops, 1);
	ck_assert_ptr_null(m->connect.host);
	ck_assert_ptr_null(m->connect.port);
	ck_assert_int_eq(m->connect.line, 0);
	ck_assert_int_eq(m->line, 5);

	m = conf_member_by_id(conf, "AU");
	ck_assert_int_eq(m->role, ROLE_HUB);
	ck_assert_str_eq(m->name, "AU hub");
	ck_assert_uint_eq(m->nsha256, 1);
	ck_assert_uint_eq(m->sha256[0][0], 0xab);
	ck_assert_ptr_null(m->cn);
	ck_assert_str_eq(m->connect.host, "192.0.2.7");
	ck_assert_str_eq(m->connect.port, "7400");
	ck_assert_int_eq(m->connect.line, 6);
	ck_assert_int_eq(m->max_tlp, TLP_AMBER);
	ck_assert_uint_eq(m->hops, 16);

	m = conf_member_by_id(conf, "AF");
	ck_assert_str_eq(m->connect.host, "2001:db8::7");
	ck_assert_str_eq(m->connect.port, "7400");
	ck_assert_int_eq(m->max_tlp, TLP_CLEAR);
	ck_assert_uint_eq(m->hops, 1);

	m = conf_member_by_id(conf, "JP");
	ck_assert_str_eq(m->connect.host, "hub-1.jp.example");
	ck_assert_str_eq(m->connect.port, "443");
	ck_assert_int_eq(m->max_tlp, TLP_GREEN);
	ck_assert_uint_eq(m->hops, 1);

	/* A peer's certificate maps to it like a member's. */
	ck_assert_ptr_eq(conf_member_by_cert(conf, NULL, "hub.eu.example"),
	    &conf->members[0]);
	ck_assert_int_eq(conf_member_by_id(conf, "SG")->role, ROLE_MEMBER);
	conf_free(conf);

	/* hub_id may come after the peers. */
	conf = parse(TLS "peer EU cert_cn=eu\nhub_id ASEAN\n");
	ck_assert_str_eq(conf->hub_id, "ASEAN");
	ck_assert_int_eq(conf->members[0].role, ROLE_HUB);
	conf_free(conf);
}
END_TEST

START_TEST(test_peer_connect)
{
	static const char *bad_hosts[] = {
		"hub.example",		/* no port */
		"[::1]7400",
		"[::1]",
		"[::1:7400",
		"::1:7400",		/* IPv6 without brackets */
		"[192.0.2.1]:7400",	/* IPv4 in brackets */
		"[]:7400",
		"[hub.example]:7400",
		"[fe80::1%eth0]:7400",
		":7400",
		"hub_1.example:7400",
		"-hub.example:7400",
		".hub.example:7400",
		"hub example:7400",
		"*:7400",
	};
	static const char *bad_ports[] = {
		"hub.example:0", "hub.example:65536", "hub.example:+80",
		"hub.example:", "hub.example:80x", "hub.example:-1",
		"hub.example: 80", "[::1]:", "[::1]:0",
		"192.0.2.1:99999999999999999999999", "hub.example:0x50",
	};
	struct conf	*conf;
	char		 text[512], want[512];
	size_t		 i;

	conf = parse(TLS HUB "peer EU cert_cn=eu connect=192.0.2.1:1\n"
	    "peer AU cert_cn=au connect=[::]:65535\n"
	    "peer JP cert_cn=jp connect=localhost:7400\n");
	ck_assert_str_eq(conf->members[0].connect.host, "192.0.2.1");
	ck_assert_str_eq(conf->members[0].connect.port, "1");
	ck_assert_str_eq(conf->members[1].connect.host, "::");
	ck_assert_str_eq(conf->members[1].connect.port, "65535");
	ck_assert_str_eq(conf->members[2].connect.host, "localhost");
	ck_assert_int_eq(conf->members[2].connect.line, 7);
	conf_free(conf);

	for (i = 0; i < sizeof bad_hosts / sizeof bad_hosts[0]; i++) {
		snprintf(text, sizeof text, TLS HUB "peer EU cert_cn=eu "
		    "\"connect=%s\"\n", bad_hosts[i]);
		snprintf(want, sizeof want, "x.conf:5: peer \"EU\": connect: "
		    "expected HOST:PORT or [IPv6]:PORT, got \"%s\"",
		    bad_hosts[i]);
		EXPECT_EXACT(text, want);
	}
	for (i = 0; i < sizeof bad_ports / sizeof bad_ports[0]; i++) {
		snprintf(text, sizeof text, TLS HUB "peer EU cert_cn=eu "
		    "\"connect=%s\"\n", bad_ports[i]);
		snprintf(want, sizeof want, "x.conf:5: peer \"EU\": connect: "
		    "expected a port from 1 to 65535 in \"%s\"", bad_ports[i]);
		EXPECT_EXACT(text, want);
	}
	EXPECT_EXACT(TLS HUB "peer EU cert_cn=eu connect=192.0.2.1:7400 "
	    "connect=192.0.2.2:7400\n",
	    "x.conf:5: peer \"EU\": duplicate option \"connect\"");
	EXPECT_EXACT(TLS HUB "peer EU connect=192.0.2.1:7400 cert_cn=eu "
	    "connect=192.0.2.1:7400\n",
	    "x.conf:5: peer \"EU\": duplicate option \"connect\"");
}
END_TEST

START_TEST(test_peer_options)
{
	static const char *bad_tlps[] = { "amber+strict", "red", "AMBER",
	    "", "white", "green " };
	static const char *bad_hops[] = { "0", "17", "-1", "+1", "", "x",
	    "1x", "0x2", "18446744073709551617" };
	char	text[512], want[512];
	size_t	i;

	for (i = 0; i < sizeof bad_tlps / sizeof bad_tlps[0]; i++) {
		snprintf(text, sizeof text, TLS HUB "peer EU cert_cn=eu "
		    "\"max_tlp=%s\"\n", bad_tlps[i]);
		snprintf(want, sizeof want, "x.conf:5: peer \"EU\": max_tlp: "
		    "expected clear, green or amber (amber+strict and red "
		    "never leave the hub), got \"%s\"", bad_tlps[i]);
		EXPECT_EXACT(text, want);
	}
	for (i = 0; i < sizeof bad_hops / sizeof bad_hops[0]; i++) {
		snprintf(text, sizeof text, TLS HUB "peer EU cert_cn=eu "
		    "\"hops=%s\"\n", bad_hops[i]);
		snprintf(want, sizeof want, "x.conf:5: peer \"EU\": hops: "
		    "expected a number from 1 to 16, got \"%s\"", bad_hops[i]);
		EXPECT_EXACT(text, want);
	}
	EXPECT_EXACT(TLS HUB "peer EU cert_cn=eu max_tlp=clear max_tlp=clear\n",
	    "x.conf:5: peer \"EU\": duplicate option \"max_tlp\"");
	EXPECT_EXACT(TLS HUB "peer EU hops=2 cert_cn=eu hops=3\n",
	    "x.conf:5: peer \"EU\": duplicate option \"hops\"");
	EXPECT_EXACT(TLS HUB "peer EU cert_cn=eu name=a name=b\n",
	    "x.conf:5: peer \"EU\": duplicate option \"name\"");
	EXPECT_EXACT(TLS HUB "peer EU cert_cn=eu cert_cn=eu2\n",
	    "x.conf:5: peer \"EU\": duplicate option \"cert_cn\"");
	/* A peer's role is hub: it is not for the line to say. */
	EXPECT_EXACT(TLS HUB "peer EU cert_cn=eu role=hub\n",
	    "x.conf:5: peer \"EU\": a peer has role hub; remove role=");
	EXPECT_EXACT(TLS HUB "peer EU role=partner cert_cn=eu\n",
	    "x.conf:5: peer \"EU\": a peer has role hub; remove role=");
	EXPECT_EXACT(TLS HUB "peer EU cert_cn=eu colour=blue\n",
	    "x.conf:5: peer \"EU\": unknown option \"colour\"");
	EXPECT_EXACT(TLS HUB "peer EU cert_cn=eu Connect=192.0.2.1:7400\n",
	    "x.conf:5: peer \"EU\": unknown option \"Connect\"");
	EXPECT_EXACT(TLS HUB "peer EU cert_cn=eu amber\n",
	    "x.conf:5: peer \"EU\": expected OPTION=VALUE, got \"amber\"");
	EXPECT_EXACT(TLS HUB "peer EU max_tlp=amber connect=192.0.2.1:7400\n",
	    "x.conf:5: peer \"EU\": expected cert_sha256 or cert_cn (at least "
	    "one)");
	EXPECT_EXACT(TLS HUB "peer E.U cert_cn=eu\n",
	    "x.conf:5: peer: invalid ID \"E.U\" (expected 1 to 32 of A-Z a-z "
	    "0-9 _ -)");
	EXPECT_EXACT(TLS HUB "peer\n",
	    "x.conf:5: peer: missing value (expected ID [name=NAME] "
	    "[cert_sha256=HEX]... [cert_cn=CN] [connect=HOST:PORT] "
	    "[max_tlp=clear|green|amber] [hops=N])");
	EXPECT_EXACT(TLS HUB "peer EU cert_cn=eu\npeer AU cert_cn=au\n"
	    "peer EU cert_cn=eu2\n",
	    "x.conf:7: peer \"EU\": duplicate peer ID (first declared at line "
	    "5)");
	/* Certificates: a peer's and a member's are one namespace. */
	EXPECT_EXACT(TLS HUB "member SG cert_cn=shared\n"
	    "peer EU cert_cn=shared\n",
	    "x.conf:6: peer \"EU\": cert_cn \"shared\" already claimed by "
	    "\"SG\" (line 5)");
	EXPECT_EXACT(TLS HUB "peer EU cert_sha256=" FP_A "\n"
	    "member SG cert_sha256=" FP_A_HEX "\n",
	    "x.conf:6: member \"SG\": certificate fingerprint already claimed "
	    "by \"EU\" (line 5)");

	/* The peer options are a peer's: a member line refuses them. */
	EXPECT_EXACT(TLS "member SG cert_cn=sg connect=192.0.2.1:7400\n",
	    "x.conf:4: member \"SG\": unknown option \"connect\"");
	EXPECT_EXACT(TLS "member SG cert_cn=sg max_tlp=green\n",
	    "x.conf:4: member \"SG\": unknown option \"max_tlp\"");
	EXPECT_EXACT(TLS "member SG cert_cn=sg hops=2\n",
	    "x.conf:4: member \"SG\": unknown option \"hops\"");
	EXPECT_EXACT(TLS "member SG role=hub cert_cn=sg\n",
	    "x.conf:4: member \"SG\": role: expected member, partner, "
	    "operator or monitor, got \"hub\"");
}
END_TEST

START_TEST(test_peer_needs_hub_id)
{
	/* Reported at the first peer's line. */
	EXPECT_EXACT(TLS "member SG cert_cn=sg\npeer EU cert_cn=eu\n"
	    "peer AU cert_cn=au\n",
	    "x.conf:5: peer \"EU\": hub_id is required when a peer is set: add "
	    "a line \"hub_id ID\" with this hub's own ID");
	/* A line error before it is the error. */
	EXPECT_EXACT(TLS "idle_timeout 0\npeer EU cert_cn=eu\n",
	    "x.conf:4: idle_timeout: expected a number from 1 to 86400, got "
	    "\"0\"");
	/* A hub_id line that failed is the error, not its absence. */
	EXPECT_EXACT(TLS "peer EU cert_cn=eu\nhub_id A.B\n",
	    "x.conf:5: hub_id: invalid ID \"A.B\" (expected 1 to 32 of "
	    "A-Z a-z 0-9 _ -)");
	EXPECT_EXACT(TLS "peer EU cert_cn=eu\nhub_id A B\n",
	    "x.conf:5: hub_id: too many values (expected ID)");
	EXPECT_EXACT(TLS "peer EU cert_cn=eu\nhub_id\n",
	    "x.conf:5: hub_id: missing value (expected ID)");
	/* The first peer line that failed is the error, if it comes first. */
	EXPECT_EXACT(TLS "peer EU cert_cn=eu hops=0\npeer AU cert_cn=au\n",
	    "x.conf:4: peer \"EU\": hops: expected a number from 1 to 16, got "
	    "\"0\"");
}
END_TEST

START_TEST(test_peer_member_ids)
{
	/* A peer and a member cannot share an ID, either way round. */
	EXPECT_EXACT(TLS HUB "member EU cert_cn=a\npeer EU cert_cn=b\n",
	    "x.conf:6: peer \"EU\": the ID is already a member's (line 5): a "
	    "peer and a member cannot share an ID");
	EXPECT_EXACT(TLS HUB "peer EU cert_cn=a\nmember EU cert_cn=b\n",
	    "x.conf:6: member \"EU\": the ID is already a peer's (line 5): a "
	    "peer and a member cannot share an ID");
	EXPECT_EXACT(TLS HUB "member EU role=operator cert_cn=a\n"
	    "peer EU cert_cn=b\n",
	    "x.conf:6: peer \"EU\": the ID is already a member's (line 5): a "
	    "peer and a member cannot share an ID");
	EXPECT_EXACT(TLS HUB "member EU role=partner cert_cn=a\n"
	    "peer EU cert_cn=b\n",
	    "x.conf:6: peer \"EU\": the ID is already a member's (line 5): a "
	    "peer and a member cannot share an ID");
	/* IDs are compared in their case. */
	{
		struct conf	*conf;

		conf = parse(TLS HUB "member eu cert_cn=a\npeer EU cert_cn=b\n");
		ck_assert_int_eq(conf_member_by_id(conf, "eu")->role,
		    ROLE_MEMBER);
		ck_assert_int_eq(conf_member_by_id(conf, "EU")->role, ROLE_HUB);
		conf_free(conf);
	}
	/* This hub's own ID is neither. */
	EXPECT_EXACT(TLS "hub_id SG\nmember SG cert_cn=sg\n",
	    "x.conf:4: hub_id: \"SG\" is also the ID of a member (line 5)");
	EXPECT_EXACT(TLS "member OPS role=operator cert_cn=ops\nhub_id OPS\n",
	    "x.conf:5: hub_id: \"OPS\" is also the ID of a member (line 4)");
	EXPECT_EXACT(TLS "peer EU cert_cn=eu\nhub_id EU\n",
	    "x.conf:5: hub_id: \"EU\" is also the ID of a peer (line 4)");
}
END_TEST

START_TEST(test_peer_amber_to)
{
	struct conf	*conf;

	conf = parse(TLS HUB "peer EU cert_cn=eu\n"
	    "peer_amber_to SG APCERT\n"				/* 6 */
	    "member SG cert_cn=sg\n"
	    "member APCERT role=partner cert_cn=ap\n"
	    "member MY cert_cn=my\n"
	    "peer_amber_to MY\n");				/* 10 */
	ck_assert_uint_eq(conf->npeer_amber_to, 3);
	ck_assert_str_eq(conf->peer_amber_to[0], "SG");
	ck_assert_str_eq(conf->peer_amber_to[1], "APCERT");
	ck_assert_str_eq(conf->peer_amber_to[2], "MY");
	ck_assert_int_eq(conf->peer_amber_to_line, 6);
	ck_assert_int_eq(conf->peer_amber_to_lines[0], 6);
	ck_assert_int_eq(conf->peer_amber_to_lines[1], 6);
	ck_assert_int_eq(conf->peer_amber_to_lines[2], 10);
	ck_assert_int_eq(conf_amber_to(conf, "SG"), 1);
	ck_assert_int_eq(conf_amber_to(conf, "MY"), 1);
	ck_assert_int_eq(conf_amber_to(conf, "EU"), 0);
	ck_assert_int_eq(conf_amber_to(conf, "sg"), 0);
	ck_assert_int_eq(conf_amber_to(conf, "S"), 0);
	conf_free(conf);
	/* Without peers it is allowed, and idle. */
	conf = parse(TLS "member SG cert_cn=sg\npeer_amber_to SG\n");
	ck_assert_int_eq(conf_amber_to(conf, "SG"), 1);
	conf_free(conf);

	EXPECT_EXACT(TLS "member SG cert_cn=sg\npeer_amber_to SG XX\n",
	    "x.conf:5: peer_amber_to: unknown member \"XX\"");
	EXPECT_EXACT(TLS HUB "member OPS role=operator cert_cn=ops\n"
	    "peer_amber_to OPS\n",
	    "x.conf:6: peer_amber_to: \"OPS\" is not a member or partner");
	EXPECT_EXACT(TLS HUB "peer EU cert_cn=eu\npeer_amber_to EU\n",
	    "x.conf:6: peer_amber_to: \"EU\" is not a member or partner");
	EXPECT_EXACT(TLS HUB "peer_amber_to ASEAN\n",
	    "x.conf:5: peer_amber_to: unknown member \"ASEAN\"");
	EXPECT_EXACT(TLS "member SG cert_cn=sg\npeer_amber_to SG SG\n",
	    "x.conf:5: peer_amber_to: \"SG\" given twice");
	EXPECT_EXACT(TLS "member SG cert_cn=sg\npeer_amber_to SG\n"
	    "peer_amber_to SG\n",
	    "x.conf:6: peer_amber_to: \"SG\" given twice");
	EXPECT_EXACT(TLS "peer_amber_to S.G\n",
	    "x.conf:4: peer_amber_to: invalid ID \"S.G\" (expected 1 to 32 of "
	    "A-Z a-z 0-9 _ -)");
	EXPECT_EXACT(TLS "peer_amber_to\n",
	    "x.conf:4: peer_amber_to: missing value (expected ID...)");
	/* Each name is blamed at the line that gave it. */
	EXPECT_EXACT(TLS "member SG cert_cn=sg\npeer_amber_to SG\n"
	    "peer_amber_to XX\n",
	    "x.conf:6: peer_amber_to: unknown member \"XX\"");
	EXPECT_EXACT(TLS "member SG cert_cn=sg\npeer_amber_to SG\n"
	    "member OPS role=operator cert_cn=ops\npeer_amber_to OPS\n",
	    "x.conf:7: peer_amber_to: \"OPS\" is not a member or partner");
	/* A member line that failed is the error, not the name of it. */
	EXPECT_EXACT(TLS "peer_amber_to SG\nmember SG cert_cn=sg colour=red\n",
	    "x.conf:5: member \"SG\": unknown option \"colour\"");
}
END_TEST

START_TEST(test_agreement_peer)
{
	EXPECT_EXACT(TLS HUB "member ID cert_cn=id\npeer EU cert_cn=eu\n"
	    "agreement ID EU max_tlp=amber\n",
	    "x.conf:7: agreement ID EU: \"EU\" is a peer hub (what leaves for "
	    "it is its peer line's max_tlp)");
	EXPECT_EXACT(TLS HUB "agreement EU ID max_tlp=red\n"
	    "member ID cert_cn=id\npeer EU cert_cn=eu\n",
	    "x.conf:5: agreement EU ID: \"EU\" is a peer hub (what leaves for "
	    "it is its peer line's max_tlp)");
	/* A peer line that failed is the error, not the agreement naming it. */
	EXPECT_EXACT(TLS HUB "member ID cert_cn=id\n"
	    "agreement ID EU max_tlp=amber\npeer EU cert_cn=eu hops=99\n",
	    "x.conf:7: peer \"EU\": hops: expected a number from 1 to 16, got "
	    "\"99\"");
}
END_TEST

START_TEST(test_first_error)
{
	/* Two line errors: the first line wins. */
	EXPECT_ERROR(TLS "idle_timeout 0\nlisen x\n", "x.conf:4: ",
	    "idle_timeout");
	/* A check after the whole file is read, at an earlier line. */
	EXPECT_EXACT(TLS "agreement SG MY max_tlp=red\nmember SG cert_cn=a\n"
	    "lisen x\n",
	    "x.conf:4: agreement SG MY: unknown member \"MY\"");
	/* A line error before an agreement that fails the later check. */
	EXPECT_EXACT(TLS "lisen x\nagreement SG MY max_tlp=red\n",
	    "x.conf:4: unknown key \"lisen\"");
	/* The lowest of several post-pass errors. */
	EXPECT_ERROR(TLS "member SG cert_cn=a\nagreement SG B max_tlp=red\n"
	    "agreement SG A max_tlp=red\n", "x.conf:5: ",
	    "unknown member \"B\"");
	/* A missing key gives way to the error that probably caused it. */
	EXPECT_EXACT("tls_certificate a\ntls_kye b\ntls_client_ca c\n",
	    "x.conf:2: unknown key \"tls_kye\"");
	/* A failed member line is the error, not the agreement naming it. */
	EXPECT_EXACT(TLS "agreement SG MY max_tlp=red\nmember SG cert_cn=a\n"
	    "member MY cert_cn=b colour=blue\n",
	    "x.conf:6: member \"MY\": unknown option \"colour\"");
	/* Errors after the first do not replace it. */
	EXPECT_EXACT(TLS "member SG cert_cn=a\nmember SG cert_cn=b\n"
	    "member SG cert_cn=c\n",
	    "x.conf:5: member \"SG\": duplicate member ID (first declared at "
	    "line 4)");
}
END_TEST

START_TEST(test_lookup)
{
	struct conf			*conf;
	const struct conf_member	*m;
	const struct conf_agreement	*ag;
	unsigned char			 fp_b[CONF_SHA256_LEN];
	unsigned char			 other[CONF_SHA256_LEN];
	char				 hex[65];

	conf = parse(TLS
	    "member SG cert_cn=shared.example\n"
	    "member MY cert_sha256=" FP_A " cert_sha256=" FP_B "\n"
	    "member ID cert_cn=id.example\n"
	    "agreement SG MY max_tlp=amber\n");
	memset(fp_b, 0, sizeof fp_b);
	fp_b[31] = 1;
	memset(other, 0x77, sizeof other);

	ck_assert_str_eq(conf_member_by_id(conf, "MY")->id, "MY");
	ck_assert_ptr_null(conf_member_by_id(conf, "my"));
	ck_assert_ptr_null(conf_member_by_id(conf, "XX"));

	/* The fingerprint wins over the CN. */
	m = conf_member_by_cert(conf, fp_b, "shared.example");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->id, "MY");
	m = conf_member_by_cert(conf, other, "shared.example");
	ck_assert_ptr_nonnull(m);
	ck_assert_str_eq(m->id, "SG");
	m = conf_member_by_cert(conf, other, NULL);
	ck_assert_ptr_null(m);
	ck_assert_ptr_null(conf_member_by_cert(conf, other, "nobody"));

	ag = conf_agreement_between(conf, "SG", "MY");
	ck_assert_ptr_nonnull(ag);
	ck_assert_int_eq(ag->max_tlp, TLP_AMBER);
	ck_assert_ptr_eq(conf_agreement_between(conf, "MY", "SG"), ag);
	ck_assert_ptr_null(conf_agreement_between(conf, "SG", "ID"));

	ck_assert_str_eq(conf_fingerprint_hex(conf->members[1].sha256[0], hex,
	    sizeof hex), FP_A_HEX);
	ck_assert_str_eq(conf_fingerprint_hex(fp_b, hex, sizeof hex), FP_B);
	ck_assert_ptr_null(conf_fingerprint_hex(fp_b, hex, 64));
	conf_free(conf);
	conf_free(NULL);
}
END_TEST

START_TEST(test_load)
{
	struct conf	*conf;
	char		 dir[] = "/tmp/check_conf.XXXXXX", path[256], want[512];
	char		*cause = NULL;
	FILE		*f;

	conf = conf_load("/nonexistent/kentongand.conf", &cause);
	ck_assert_ptr_null(conf);
	snprintf(want, sizeof want, "/nonexistent/kentongand.conf:0: "
	    "cannot read: %s", strerror(ENOENT));
	ck_assert_str_eq(cause, want);
	free(cause);

	/* An endless file is refused rather than read into memory. */
	cause = NULL;
	ck_assert_ptr_null(conf_load("/dev/zero", &cause));
	snprintf(want, sizeof want, "/dev/zero:0: cannot read: %s",
	    strerror(EFBIG));
	ck_assert_str_eq(cause, want);
	free(cause);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	cause = NULL;
	conf = conf_load(dir, &cause);
	ck_assert_ptr_null(conf);
	snprintf(want, sizeof want, "%s:0: cannot read: %s", dir,
	    strerror(EISDIR));
	ck_assert_str_eq(cause, want);
	free(cause);

	snprintf(path, sizeof path, "%s/k.conf", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(TLS "tls_crl lists/crl.pem\nidle_timeout 7", f);
	fclose(f);
	cause = NULL;
	conf = conf_load(path, &cause);
	ck_assert_msg(conf != NULL, "%s", cause);
	ck_assert_str_eq(conf->file, path);
	snprintf(want, sizeof want, "%s/lists/crl.pem", dir);
	ck_assert_str_eq(conf->tls_crl.path, want);
	ck_assert_uint_eq(conf->idle_timeout, 7);
	conf_free(conf);

	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(TLS "idle_timeout 7\nidle_timeout 8\n", f);
	fclose(f);
	cause = NULL;
	ck_assert_ptr_null(conf_load(path, &cause));
	snprintf(want, sizeof want, "%s:5: duplicate key", path);
	ck_assert_msg(strncmp(cause, want, strlen(want)) == 0, "%s", cause);
	free(cause);

	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_example)
{
	struct conf			*conf;
	const struct conf_member	*m;
	const char			*file;
	char				*cause = NULL;

	file = getenv("KENTONGAN_CONF_EXAMPLE");
	if (file == NULL || *file == '\0')
		return;
	conf = conf_load(file, &cause);
	ck_assert_msg(conf != NULL, "%s", cause);
	ck_assert_uint_eq(conf->nmembers, 5);
	ck_assert_int_eq(conf_member_by_id(conf, "ID")->role, ROLE_MEMBER);
	ck_assert_int_eq(conf_member_by_id(conf, "SG")->role, ROLE_MEMBER);
	m = conf_member_by_id(conf, "MY");
	ck_assert_int_eq(m->role, ROLE_MEMBER);
	ck_assert_uint_eq(m->nsha256, 2);
	ck_assert_int_eq(conf_member_by_id(conf, "APCERT")->role,
	    ROLE_PARTNER);
	ck_assert_int_eq(conf_member_by_id(conf, "OPS")->role, ROLE_OPERATOR);
	ck_assert_uint_ge(conf->nagreements, 1);
	ck_assert_ptr_nonnull(conf->tls_certificate.path);
	conf_free(conf);
}
END_TEST

/* The suite of the conf module. */
static Suite *
conf_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("conf");
#define ADD(name, fn) do {						\
	tc = tcase_create(name);					\
	tcase_add_test(tc, fn);						\
	suite_add_tcase(s, tc);						\
} while (0)
	ADD("valid_full", test_valid_full);
	ADD("defaults", test_defaults);
	ADD("defaults_not_relative", test_defaults_not_relative);
	ADD("quoting", test_quoting);
	ADD("long_line", test_long_line);
	ADD("error_quotes_little", test_error_quotes_little);
	ADD("paths", test_paths);
	ADD("listen", test_listen);
	ADD("numbers", test_numbers);
	ADD("report_rate", test_report_rate);
	ADD("keys", test_keys);
	ADD("member", test_member);
	ADD("fingerprint_syntax", test_fingerprint_syntax);
	ADD("identity_conflict", test_identity_conflict);
	ADD("agreement", test_agreement);
	ADD("hub_id", test_hub_id);
	ADD("peer", test_peer);
	ADD("peer_connect", test_peer_connect);
	ADD("peer_options", test_peer_options);
	ADD("peer_needs_hub_id", test_peer_needs_hub_id);
	ADD("peer_member_ids", test_peer_member_ids);
	ADD("peer_amber_to", test_peer_amber_to);
	ADD("agreement_peer", test_agreement_peer);
	ADD("first_error", test_first_error);
	ADD("lookup", test_lookup);
	ADD("load", test_load);
	ADD("example", test_example);
#undef ADD
	return (s);
}

int
main(void)
{
	SRunner	*sr;
	int	 failed;

	sr = srunner_create(conf_suite());
	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
