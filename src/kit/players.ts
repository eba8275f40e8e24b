// The k6 side of player identities (src/contracts/players.ts): the users file read once at
// init into a SharedArray (one copy for every VU), and JWTs signed with k6/crypto's HMAC. Each
// flow asks for the player of its index; the file's row (index modulo the rows, said once at
// setup when players outnumber rows) or the minted token joins the flow's own id.
import crypto from "k6/crypto";
import { SharedArray } from "k6/data";
import { ContractError } from "../contracts/contract";
import { mintJwt, type Player, type PlayersSpec, parseUsers } from "../contracts/players";
import { readTextFile } from "./contract-env";
import { EnvError, type EnvReader } from "./env";

export class PlayerDirectory {
  private readonly rows: readonly Record<string, string>[] | undefined;
  private readonly secret: string | undefined;

  constructor(
    private readonly spec: PlayersSpec | undefined,
    env: EnvReader,
    private readonly source: string,
  ) {
    const file = spec?.file;
    if (file) {
      this.rows = new SharedArray(`players:${file}`, () => {
        const text = readTextFile(env, file, `${source}: players.file`);
        try {
          const rows = parseUsers(text, `${source}: players.file ${file}`);
          if (rows.length === 0) throw new ContractError(`${source}: players.file ${file} has no users`);
          return rows;
        } catch (err) {
          if (err instanceof ContractError) throw new EnvError(err.message);
          throw err;
        }
      });
    }
    if (spec?.jwt) {
      this.secret = env.optionalString(spec.jwt.secretEnv);
      if (this.secret === undefined) {
        throw new EnvError(`${source}: the contract mints each player's token (players.jwt) with the secret in -e ${spec.jwt.secretEnv}, which is not set: pass -e ${spec.jwt.secretEnv}=<your test secret>`);
      }
    }
  }

  /** Users in the file (undefined without one). */
  get fileRows(): number | undefined {
    return this.rows?.length;
  }

  /** Why the run's players will share identities, or undefined: for setup() to say once. */
  shortage(players: number): string | undefined {
    const rows = this.rows?.length;
    if (rows === undefined || rows >= players) return undefined;
    return `${this.source}: players.file has ${rows} users for ${players} players: users are reused (player i is row i mod ${rows}), so the server sees the same user on several connections`;
  }

  /** Values that must never be printed (the signing secret). */
  get secrets(): string[] {
    return this.secret ? [this.secret] : [];
  }

  /** The player of `index`: the flow's `id` unless the users file names one, its row's fields, its token. */
  player(index: number, id: string): Player & Record<string, unknown> {
    const player: Player & Record<string, unknown> = { id, index };
    const row = this.rows?.[index % this.rows.length];
    if (row) Object.assign(player, row, { index });
    if (typeof player.id !== "string" || player.id === "") player.id = id;
    if (this.spec?.jwt && this.secret !== undefined) {
      const secret = this.secret;
      player.token = mintJwt(this.spec.jwt, player, Math.floor(Date.now() / 1000), (input) => crypto.hmac("sha256", secret, input, "base64rawurl") as string);
    }
    return player;
  }
}
