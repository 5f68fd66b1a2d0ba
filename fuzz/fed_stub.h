/*
 * Runs in: the fuzzer. Input: none. The broker around broker/fed.c for
 * the fed harnesses (fuzz/fed_stub.c).
 */
#ifndef PC_FED_STUB_H
#define PC_FED_STUB_H

#include "broker.h"

extern struct breq		*ffa_queued;	/* the last sched_add_front */
extern int			 ffa_refused;	/* broker_refuse/_fail calls */
extern struct broker_app	 ffa_app;	/* Atlas, credential "api" */
extern struct broker		 ffa_b;

/* The app and its rules, once. */
void	ffa_setup(void);

#endif /* PC_FED_STUB_H */
