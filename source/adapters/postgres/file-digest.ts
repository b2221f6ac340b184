/** sha256 (hex) of a file, read in chunks: dumps can be far larger than memory. */
export {sha256OfFile as sha256File} from '../file-sha256.js';
