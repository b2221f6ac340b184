/**
 * A record `<name>.jsonl` has two sidecars next to it:
 * - `<name>.jsonl.checkpoints`: one DSSE envelope per line (canonical JSON), like an in-toto bundle;
 * - `<name>.jsonl.sig`: an SSHSIG over the whole journal, written when the run finishes (as `ssh-keygen -Y sign` names it).
 * Neither ends in `.jsonl`, so a listing of records never mistakes one for a record.
 */
export const checkpointsPath = (record: string) => `${record}.checkpoints`;
export const signaturePath = (record: string) => `${record}.sig`;
export const isRecordFile = (name: string) => name.endsWith('.jsonl');
