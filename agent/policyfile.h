/*
 * Loading an app's policy files: its IP allowlist and its egress rules,
 * from allow-file / egress-file or <policy-dir>/{allow,egress}/<app>.*
 */
#ifndef PC_POLICYFILE_H
#define PC_POLICYFILE_H

struct config;
struct cidr_list;
struct egress_rules;
struct agent;

/* Parse both files; errors name file:line. Returns an EXIT_* code. */
int	policyfile_load(struct config *cfg, const char *app,
	    struct cidr_list **allow, struct egress_rules **egress);
/* Print what the broker will apply to each app of ag. EXIT_*. */
int	policyfile_explain(struct config *cfg, struct agent *ag);
/* Where policy files live when not configured. */
const char *policyfile_dir(struct config *cfg);

#endif /* PC_POLICYFILE_H */
