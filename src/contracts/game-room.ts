// How a game-room server admits players and makes rooms; the room events themselves (join,
// choices fanned out each turn, presence, typing, ping, reconnect with a state sync) are the
// flow's (src/scenarios/game-room.ts).
import type { ContractConnection } from "./contract";

export interface GameRoomContract {
  name: string;
  describes: string;
  /** How a player is identified: its CONNECT auth, or its login's session cookie (also sent on `enter`). */
  connection?: ContractConnection;
  /**
   * How rooms come to exist. "ours": each player creates its room under a code of ours
   * (idempotently). "server": setup() creates them once, logged in as a host, and the server
   * picks the codes, which reach the players through setup()'s data.
   */
  rooms:
    | { picks: "ours"; path: string; body(code: string, size: number): unknown }
    | { picks: "server"; path: string; body(size: number): unknown; code(response: unknown): string | undefined };
  /** Per player, after its login and before its socket joins: the HTTP call that seats it in the room. */
  enter?: { path(code: string): string };
  /** The reference server's error codes (AUTH_REQUIRED, INVALID_GAME, NOT_IN_GAME, GAME_FULL) are checked. */
  errorChecks: boolean;
}

/** Our reference server: games under our codes over POST /api/games, the player in the CONNECT auth. */
export const referenceGameRoom: GameRoomContract = {
  name: "reference",
  describes: "the k6-socketio reference server",
  connection: { auth: (player) => ({ player_id: player.id, player_name: `Player ${player.id}` }) },
  rooms: { picks: "ours", path: "/api/games", body: (code, size) => ({ game_code: code, max_players: size }) },
  errorChecks: true,
};

/**
 * A Flask-SocketIO game-room server with a login page: players log in over HTTP (session cookie,
 * CSRF header), the server creates rooms and picks their codes, a player enters a room over
 * HTTP (the room goes into its session), and the socket CONNECT is refused without the cookie.
 */
export const cookieSessionGameRoom: GameRoomContract = {
  name: "cookie-session",
  describes: "a Flask-SocketIO game-room server with an HTTP login session",
  connection: { login: { url: "/api/login", body: { username: "${player.id}", password: "pw" }, csrf: { url: "/api/csrf", json: "csrf_token", header: "X-CSRFToken" } } },
  rooms: {
    picks: "server",
    path: "/api/games",
    body: (size) => ({ max_players: size }),
    code: (response) => {
      const code = (response as { game_code?: unknown } | null)?.game_code;
      return typeof code === "string" ? code : undefined;
    },
  },
  enter: { path: (code) => `/api/games/${encodeURIComponent(code)}/join` },
  errorChecks: false,
};

export const gameRoomPresets: Record<string, GameRoomContract> = { reference: referenceGameRoom, "cookie-session": cookieSessionGameRoom };
