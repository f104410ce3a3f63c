CREATE TEMPORARY MODEL fraud
  INPUT (amount DOUBLE, `hour` INT)
  OUTPUT (fraud_probability DOUBLE)
  WITH ('provider' = 'jarrow', 'function' = 'scoring:score', 'python-path' = 'python');

SELECT card, amount, `hour`, fraud_probability
FROM ML_PREDICT(TABLE transactions, MODEL fraud, DESCRIPTOR(amount, `hour`));
