import {adoptCommand} from '../adopt-command.js';

export async function importCommand(args: string[]): Promise<number> {
	return adoptCommand('import', args);
}
