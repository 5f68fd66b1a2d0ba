/*
 * Every ceiling shared by more than one process, with why that number
 * (curl's DYN_* list). Module-local caps live in their own header.
 */
#ifndef PC_PCLIMITS_H
#define PC_PCLIMITS_H

/* One SOCK_SEQPACKET datagram: header + payload. 64 KiB keeps each
 * datagram under the default socket buffer so a send never blocks on
 * half a frame. */
#define MSG_HDR_LEN		16
#define MSG_PAYLOAD_MAX		(64 * 1024)
/* A reassembled HTTP body: large Atlas pages (500 users) are ~1 MiB;
 * 32 MiB leaves room and still bounds a hostile server. */
#define MSG_RESP_MAX		(32 * 1024 * 1024)
/* A request body is written by our own fetchers: 1 MiB is plenty. */
#define MSG_REQ_MAX		(1024 * 1024)
/* Path + query relative to the app base. */
#define MSG_PATH_MAX		8192
/* One normalized record (resource, entitlement, grant). */
#define MSG_RECORD_MAX		(64 * 1024)
/* Records travel in batches of as many as fit one datagram; a record
 * near the cap still fits a batch of its own. */
#define MSG_RECORDS_MAX		(MSG_RECORD_MAX + 1024)
#define MSG_BATCH_FILL		(MSG_PAYLOAD_MAX - 1024)
#define MSG_TASK_MAX		(16 * 1024)
#define MSG_TEXT_MAX		2048
/* Why a request failed, as fields (struct fail_msg): the path is shown
 * without its query, cut at FAIL_PATH_MAX; the fields' sum plus TLV
 * headers stays below MSG_FAIL_MAX. */
#define FAIL_PATH_MAX		1024
#define MSG_FAIL_MAX		2560
/* Generated passwords: below 16 characters a guess is practical; 128
 * is more than any vendor accepts. */
#define PC_SECRET_LEN_MIN	16
#define PC_SECRET_LEN_MAX	128
/* TLV tags are small integers so decoded fields index an array. */
#define TLV_MAX_TAG		31

#endif /* PC_PCLIMITS_H */
