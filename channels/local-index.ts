/** Indexing a channel folder; the implementation lives in channels/index/. */
export { indexChannel, type IndexOptions, type SubdirIndexResult } from './index/index-channel.js';
