/** commitsFromLogs (src/client/index.ts): winners and backers of heights read from ProverCommitted logs. */
import { expect } from "chai";
import { commitsFromLogs } from "../../src/client/index.js";

const A = "0x00000000000000000000000000000000000000aA";
const B = "0x00000000000000000000000000000000000000bB";
const P = "0x00000000000000000000000000000000000000Cc";
const ZERO = "0x0000000000000000000000000000000000000000";
const log = (height: bigint, sequencer: string, depositor: string, deposit: bigint, leads: boolean) => ({ args: { height, sequencer, depositor, deposit, leads } });

describe("client: commitsFromLogs", function () {
  it("the winner is the last leading commit; a non-leading commit never is one", function () {
    const c = commitsFromLogs([log(1n, A, A, 5n, true), log(1n, B, P, 7n, true), log(2n, A, A, 5n, true), log(2n, B, B, 5n, false)]);
    expect(c.winner(1n)).to.equal(B);
    expect(c.winner(2n)).to.equal(A);
    expect(c.winner(3n)).to.equal(undefined);
  });
  it("the backer is the depositor the commit named (any address case), else the sequencer itself with no deposit", function () {
    const c = commitsFromLogs([log(1n, B, P, 7n, true), log(2n, A, ZERO, 0n, true)]);
    expect(c.backer(1n, B.toLowerCase())).to.deep.equal({ depositor: P, deposit: 7n });
    expect(c.backer(2n, A)).to.deep.equal({ depositor: A, deposit: 0n });
    expect(c.backer(3n, A)).to.deep.equal({ depositor: A, deposit: 0n });
  });
});
