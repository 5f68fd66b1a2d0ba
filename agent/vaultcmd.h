/*
 * `portcullis vault keygen|open`: the operator's side of the vault
 * handoff (see broker/vault.h for the broker's).
 */
#ifndef PC_VAULTCMD_H
#define PC_VAULTCMD_H

/* argv[0] is the subcommand. EXIT_* code. */
int	vaultcmd_main(int argc, char **argv);

#endif /* PC_VAULTCMD_H */
