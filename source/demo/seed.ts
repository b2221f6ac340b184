/**
 * Demo data for a database at 0001_create_users_and_meters, in SQL both engines accept. The
 * meters hold a few rows that repeat a (unit_id, kind, slot) already taken by a lower id, one of
 * them three times, which is what 0003 archives and what 0004's unique index would refuse.
 */
export const demoSeedSql = `INSERT INTO users (id, email, role, created_at) VALUES
	(1, 'ada@example.com', 'admin', '2024-01-08 09:00:00'),
	(2, 'grace@example.com', 'member', '2024-01-09 10:30:00'),
	(3, 'edsger@example.com', 'member', '2024-02-01 08:15:00'),
	(4, 'barbara@example.com', 'admin', '2024-02-14 16:45:00'),
	(5, 'ken@example.com', 'member', '2024-03-03 11:00:00'),
	(6, 'frances@example.com', 'member', '2024-03-20 13:20:00'),
	(7, 'donald@example.com', 'member', '2024-04-02 07:55:00'),
	(8, 'margaret@example.com', 'member', '2024-04-18 15:10:00');

INSERT INTO meters (id, unit_id, kind, slot, reading) VALUES
	(1, 1, 'water', 1, 110.25),
	(2, 1, 'water', 2, 120.50),
	(3, 1, 'heat', 1, 110.75),
	(4, 1, 'heat', 2, 121.00),
	(5, 2, 'water', 1, 211.25),
	(6, 2, 'water', 2, 221.50),
	(7, 2, 'heat', 1, NULL),
	(8, 2, 'heat', 2, 222.00),
	(9, 1, 'heat', 1, 112.25),
	(10, 3, 'water', 1, 312.50),
	(11, 3, 'water', 2, 322.75),
	(12, 3, 'heat', 1, 313.00),
	(13, 3, 'heat', 2, 323.25),
	(14, 4, 'water', 1, NULL),
	(15, 4, 'water', 2, 423.75),
	(16, 4, 'heat', 1, 414.00),
	(17, 4, 'heat', 2, 424.25),
	(18, 5, 'water', 1, 514.50),
	(19, 3, 'water', 2, 324.75),
	(20, 5, 'water', 2, 525.00),
	(21, 5, 'heat', 1, NULL),
	(22, 5, 'heat', 2, 525.50),
	(23, 6, 'water', 1, 615.75),
	(24, 6, 'water', 2, 626.00),
	(25, 6, 'heat', 1, 616.25),
	(26, 6, 'heat', 2, 626.50),
	(27, 7, 'water', 1, 716.75),
	(28, 7, 'water', 2, NULL),
	(29, 5, 'heat', 2, 527.25),
	(30, 7, 'heat', 1, 717.50),
	(31, 7, 'heat', 2, 727.75),
	(32, 8, 'water', 1, 818.00),
	(33, 8, 'water', 2, 828.25),
	(34, 8, 'heat', 1, 818.50),
	(35, 8, 'heat', 2, NULL),
	(36, 9, 'water', 1, 919.00),
	(37, 9, 'water', 2, 929.25),
	(38, 9, 'heat', 1, 919.50),
	(39, 9, 'heat', 2, 929.75),
	(40, 3, 'water', 2, 330.00);
`;

/** Meters 0003 must move to meters_archive: every (unit_id, kind, slot) repeat above the lowest id. */
export const demoDuplicateIds: number[] = [9, 19, 29, 40];
