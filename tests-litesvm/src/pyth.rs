//! `PriceUpdateV2` accounts in the Pyth receiver's real layout, serialized through the
//! test-only receiver stand-in's account type (same name, fields and order as the SDK's).

use anchor_lang::{AccountDeserialize, AccountSerialize};
use mock_pyth::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};

use crate::env::*;

/// One oracle quote as a test wants to write it.
#[derive(Clone, Copy, Debug)]
pub struct Quote {
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub expo: i32,
    pub publish_time: i64,
    pub fully_verified: bool,
}

impl Quote {
    pub fn new(feed_id: [u8; 32], price: i64, expo: i32, publish_time: i64) -> Quote {
        Quote { feed_id, price, conf: 0, expo, publish_time, fully_verified: true }
    }
}

pub fn feed(tag: u8) -> [u8; 32] {
    [tag; 32]
}

impl Env {
    /// Writes (creating or overwriting) a price account owned by `owner`
    /// (the receiver's id, or another one to test refusals).
    pub fn write_price_owned(&mut self, key: &Pk, q: Quote, owner: &Pk) {
        let acc = PriceUpdateV2 {
            write_authority: self.payer_pk(),
            verification_level: if q.fully_verified { VerificationLevel::Full } else { VerificationLevel::Partial { num_signatures: 5 } },
            price_message: PriceFeedMessage {
                feed_id: q.feed_id,
                price: q.price,
                conf: q.conf,
                exponent: q.expo,
                publish_time: q.publish_time,
                prev_publish_time: q.publish_time - 1,
                ema_price: q.price,
                ema_conf: q.conf,
            },
            posted_slot: 1,
        };
        let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
        acc.try_serialize(&mut data).unwrap();
        data.resize(PriceUpdateV2::LEN, 0);
        let lamports = self.svm.minimum_balance_for_rent_exemption(data.len());
        self.set_account(key, solana_account::Account { lamports, data, owner: addr(owner), executable: false, rent_epoch: 0 });
    }

    pub fn write_price(&mut self, key: &Pk, q: Quote) {
        self.write_price_owned(key, q, &mock_pyth::ID);
    }
}

/// The price mantissa of a price account as it is now (None when absent or unreadable).
pub fn read_price(env: &Env, key: &Pk) -> Option<i64> {
    let acc = env.account(key)?;
    let p = PriceUpdateV2::try_deserialize(&mut acc.data.as_slice()).ok()?;
    Some(p.price_message.price)
}
