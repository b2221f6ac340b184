import type {BackupArtifact} from '../../engine/model.js';
import {DirectoryHasher, manifestDigest} from './dump-manifest.js';
import {sha256File} from './file-digest.js';

/** The sha256 a backup has now, comparable with its artifact's: a file's own, or a directory's manifest's. */
export async function sha256Artifact(artifact: Pick<BackupArtifact, 'path' | 'format'>): Promise<string> {
	return artifact.format === 'pg-directory'
		? manifestDigest(await new DirectoryHasher(artifact.path).manifest(2))
		: sha256File(artifact.path);
}
