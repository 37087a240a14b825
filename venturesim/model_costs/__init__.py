"""model_costs"""
