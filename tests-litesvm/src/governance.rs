//! Governance instruction builders: propose (the exchange's next id), execute, cancel, the
//! two-step admin transfer, the guardian's breaker clear.

use maxwell::state::{Change, Exchange};
use solana_instruction::Instruction;

use crate::env::*;
use crate::ix::build;
use crate::world::*;

pub fn proposal_pda(exchange: &Pk, id: u64) -> Pk {
    Pk::find_program_address(&[maxwell::constants::PROPOSAL_SEED, exchange.as_ref(), &id.to_le_bytes()], &maxwell::ID).0
}

impl World {
    pub fn next_proposal_id(&self) -> u64 {
        self.env.zc::<Exchange>(&self.exchange).gov.proposal_count
    }

    /// `gov_propose` of `change` as proposal `id`, with its target bank or underlying.
    pub fn gov_propose_ix(&self, proposer: &Pk, id: u64, change: Change, bank: Option<Pk>, underlying: Option<Pk>) -> Instruction {
        build(
            maxwell::accounts::GovPropose {
                proposer: *proposer,
                exchange: self.exchange,
                proposal: proposal_pda(&self.exchange, id),
                bank,
                underlying,
                system_program: anchor_lang::system_program::ID,
            },
            maxwell::instruction::GovPropose { id, change },
            &[],
        )
    }

    pub fn gov_execute_ix(&self, executor: &Pk, id: u64, bank: Option<Pk>, underlying: Option<Pk>) -> Instruction {
        build(
            maxwell::accounts::GovExecute {
                executor: *executor,
                exchange: self.exchange,
                proposal: proposal_pda(&self.exchange, id),
                bank,
                underlying,
            },
            maxwell::instruction::GovExecute {},
            &[],
        )
    }

    pub fn gov_cancel_ix(&self, signer: &Pk, id: u64) -> Instruction {
        build(
            maxwell::accounts::GovCancel { signer: *signer, exchange: self.exchange, proposal: proposal_pda(&self.exchange, id) },
            maxwell::instruction::GovCancel {},
            &[],
        )
    }

    pub fn admin_transfer_propose_ix(&self, admin: &Pk, new_admin: Pk) -> Instruction {
        build(
            maxwell::accounts::AdminTransferPropose { admin: *admin, exchange: self.exchange },
            maxwell::instruction::AdminTransferPropose { new_admin },
            &[],
        )
    }

    pub fn admin_transfer_accept_ix(&self, new_admin: &Pk) -> Instruction {
        build(
            maxwell::accounts::AdminTransferAccept { new_admin: *new_admin, exchange: self.exchange },
            maxwell::instruction::AdminTransferAccept {},
            &[],
        )
    }

    pub fn vol_breaker_clear_ix(&self, guardian: &Pk, underlying: &Pk) -> Instruction {
        build(
            maxwell::accounts::VolBreakerClear { guardian: *guardian, exchange: self.exchange, underlying: *underlying },
            maxwell::instruction::VolBreakerClear {},
            &[],
        )
    }

    /// Proposes `change` by the admin as the next proposal; returns its id.
    pub fn propose(&mut self, change: Change, bank: Option<Pk>, underlying: Option<Pk>) -> u64 {
        let id = self.next_proposal_id();
        let i = self.gov_propose_ix(&self.admin_pk(), id, change, bank, underlying);
        let admin = self.admin.insecure_clone();
        self.env.ok(&[i], &[&admin]);
        id
    }

    /// Warps past the timelock and executes proposal `id` (by the payer: anyone may).
    pub fn execute_after_timelock(&mut self, id: u64, bank: Option<Pk>, underlying: Option<Pk>) -> Success {
        let p: maxwell::state::Proposal = self.env.borsh(&proposal_pda(&self.exchange, id));
        if self.env.now() < p.unlock_ts {
            self.env.set_time(p.unlock_ts);
        }
        let i = self.gov_execute_ix(&self.env.payer_pk(), id, bank, underlying);
        self.env.ok(&[i], &[])
    }
}
