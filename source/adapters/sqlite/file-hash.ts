export {sha256OfFile} from '../file-sha256.js';
