"""Rule families.  Each extractor reads a ``Context`` and returns rules, marking what it consumed.

The order of ``FAMILIES`` matters where two families could read the same words: labs before
conditions ("thrombocytopenia (<50 G/L)" is a platelet threshold), investigational agents before
drugs, EDSS and disease duration before relapses.
"""

from .clinical import extract_contraception, extract_pregnancy, extract_weight
from .conditions import extract_conditions
from .disease import (extract_age, extract_csf, extract_diagnosis_and_subtype, extract_duration, extract_edss,
                      extract_mri, extract_relapses, extract_sex, restates_inclusion)
from .labs import extract_labs
from .treatment import extract_drugs, extract_investigational, extract_live_vaccine

FAMILIES = (
    extract_investigational,
    extract_live_vaccine,
    extract_labs,
    extract_age,
    extract_sex,
    extract_edss,
    extract_duration,
    extract_diagnosis_and_subtype,
    extract_mri,
    extract_relapses,
    extract_csf,
    extract_pregnancy,
    extract_contraception,
    extract_weight,
    extract_drugs,
    extract_conditions,
)

__all__ = ["FAMILIES", "restates_inclusion"]
