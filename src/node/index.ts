/** Off-chain building blocks of a node: tx ids, mempool, status ladder, L2 JSON-RPC server and client. */
export { txIdOf, isTxId, type TxId } from "./txid.js";
export {
  Mempool, MempoolError, type MempoolErrorCode, type AccountView, type MempoolOptions, type PoolEntry, type AddResult,
  type ReinsertResult,
} from "./mempool.js";
export {
  LADDER, TX_STATUSES, StatusTracker, StatusError, canTransition, isTxStatus, isBlockStatus,
  type LadderStatus, type TxStatus, type StatusErrorCode, type L1Point, type StatusStep, type TxRecord, type TransitionOptions,
} from "./status.js";
export {
  L2RpcServer, L2RpcClient, RpcError, RpcTransportError, RpcMethodError, RPC_ERRORS, rootHex,
  type AccountInfo, type BlockBody, type ChainInfo, type L2NodeBackend, type RpcErrorObject, type BatchCall, type VrfClaim,
} from "./rpc.js";
export { saveNode, loadNode, type LoadedNode } from "./persist.js";
